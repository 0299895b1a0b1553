import { Inject, Injectable, type OnApplicationBootstrap } from '@nestjs/common';
import { API_KEY_PATTERN, hashApiKey, type KeyPrincipal, Subjects, TfError } from '@tokenflow/contracts';
import { type CallContext, NatsBus } from '@tokenflow/messaging';
import { LRUCache } from 'lru-cache';
import { INGRESS_CONFIG, type IngressConfig } from '../config';

const NEGATIVE_TTL_MS = 5_000;
/** Real keys: one entry per key that called recently. */
const MAX_KNOWN = 100_000;
/**
 * Keys billing does not know, in a cache of their own: a flood of random well-formed keys only ever evicts other
 * unknown keys, never a real one, and a repeated unknown key costs no lookup.
 */
const MAX_UNKNOWN = 10_000;

/** One lookup in flight per key hash; a change to that key while it runs makes its answer stale. */
interface Lookup {
  promise: Promise<KeyPrincipal | null>;
  stale: boolean;
}

/**
 * Resolves an API key to a principal. Lookups are cached in-process (by key hash) so the hot path makes no NATS
 * hop; billing broadcasts every key change, and the entry is dropped on every replica at once. A lookup that was in
 * flight when its key changed is not trusted: it may have read the key just before a revocation.
 */
@Injectable()
export class AuthService implements OnApplicationBootstrap {
  private readonly known = new LRUCache<string, KeyPrincipal>({ max: MAX_KNOWN, ttl: 1, ttlAutopurge: false });
  private readonly unknown = new LRUCache<string, true>({ max: MAX_UNKNOWN, ttl: NEGATIVE_TTL_MS, ttlAutopurge: false });
  private readonly inflight = new Map<string, Lookup>();

  constructor(
    private readonly bus: NatsBus,
    @Inject(INGRESS_CONFIG) private readonly config: IngressConfig,
  ) {}

  onApplicationBootstrap(): void {
    this.bus.on(Subjects.billingKeyChanged, (ev) => this.forget(ev.keyHash));
    // Account changes (rate limits) are rare: a scan of the cache is cheaper than an index kept for them.
    this.bus.on(Subjects.billingAccountChanged, (ev) => {
      for (const [hash, principal] of this.known.entries()) if (principal.accountId === ev.accountId) this.known.delete(hash);
      for (const lookup of this.inflight.values()) lookup.stale = true;
    });
  }

  /** `authorization` is the raw header value (`Bearer tf-…`). */
  async principal(authorization: string | undefined, ctx: CallContext): Promise<KeyPrincipal> {
    const key = bearer(authorization);
    if (!key) {
      throw new TfError(
        'invalid_api_key',
        "You didn't provide an API key. You need to provide your API key in an Authorization header using Bearer auth (i.e. Authorization: Bearer YOUR_KEY).",
      );
    }
    if (!API_KEY_PATTERN.test(key)) throw invalidKey(key);
    const hash = hashApiKey(key);
    const principal = this.known.get(hash) ?? (this.unknown.has(hash) ? null : await this.lookup(hash, ctx));
    if (!principal) throw invalidKey(key);
    if (principal.expiresAt && Date.parse(principal.expiresAt) <= Date.now()) {
      throw new TfError('invalid_api_key', `This API key expired at ${principal.expiresAt}.`);
    }
    return principal;
  }

  private async lookup(hash: string, ctx: CallContext): Promise<KeyPrincipal | null> {
    // A lookup that went stale is asked once more: the second one started after the change was broadcast, and
    // billing broadcasts only after its write committed, so it reads the new state.
    for (let attempt = 0; ; attempt++) {
      const flight = this.flight(hash, ctx);
      const principal = await flight.promise;
      if (flight.stale && attempt === 0) continue;
      if (!flight.stale) this.remember(hash, principal);
      return principal;
    }
  }

  private flight(hash: string, ctx: CallContext): Lookup {
    let flight = this.inflight.get(hash);
    if (!flight) {
      const lookup: Lookup = { stale: false, promise: this.bus.request(Subjects.billingAuth, { keyHash: hash }, { ctx }).then((r) => r.principal) };
      void lookup.promise.then(
        () => this.inflight.delete(hash),
        () => this.inflight.delete(hash),
      );
      this.inflight.set(hash, lookup);
      flight = lookup;
    }
    return flight;
  }

  private remember(hash: string, principal: KeyPrincipal | null): void {
    if (principal) this.known.set(hash, principal, { ttl: this.config.AUTH_CACHE_TTL_MS || 1 });
    else this.unknown.set(hash, true);
  }

  private forget(hash: string): void {
    this.known.delete(hash);
    this.unknown.delete(hash);
    const flight = this.inflight.get(hash);
    if (flight) flight.stale = true;
  }
}

/** The key from `Bearer <key>`, parsed without a regex (the header is the caller's). */
function bearer(header: string | undefined): string | null {
  if (!header) return null;
  const value = header.trim();
  if (value.slice(0, 7).toLowerCase() !== 'bearer ') return null;
  const key = value.slice(7).trim();
  return key && !/\s/.test(key) ? key : null;
}

/** Like OpenAI: show only the ends of the key, so logs and screenshots of errors do not leak it. */
function invalidKey(key: string): TfError {
  const shown = key.length > 10 ? `${key.slice(0, 3)}***${key.slice(-4)}` : '***';
  return new TfError('invalid_api_key', `Incorrect API key provided: ${shown}.`);
}
