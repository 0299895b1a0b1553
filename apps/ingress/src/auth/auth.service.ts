import { Inject, Injectable, type OnApplicationBootstrap } from '@nestjs/common';
import { API_KEY_PATTERN, hashApiKey, type KeyPrincipal, Subjects, TfError } from '@tokenflow/contracts';
import { type CallContext, NatsBus } from '@tokenflow/messaging';
import { INGRESS_CONFIG, type IngressConfig } from '../config';

const NEGATIVE_TTL_MS = 5_000;
const MAX_ENTRIES = 100_000;

interface CacheEntry {
  principal: KeyPrincipal | null;
  expiresAt: number;
}

/**
 * Resolves `Authorization: Bearer tf-…` to a principal. Lookups are cached in-process (by key hash) so the hot
 * path makes no NATS hop; billing broadcasts every key change, and the entry is dropped on every replica at once.
 */
@Injectable()
export class AuthService implements OnApplicationBootstrap {
  private readonly cache = new Map<string, CacheEntry>();

  constructor(
    private readonly bus: NatsBus,
    @Inject(INGRESS_CONFIG) private readonly config: IngressConfig,
  ) {}

  onApplicationBootstrap(): void {
    this.bus.on(Subjects.billingKeyChanged, (ev) => void this.cache.delete(ev.keyHash));
    // Account changes (rate limits) are rare: a scan of the cache is cheaper than an index kept for them.
    this.bus.on(Subjects.billingAccountChanged, (ev) => {
      for (const [hash, entry] of this.cache) if (entry.principal?.accountId === ev.accountId) this.cache.delete(hash);
    });
  }

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
    const now = Date.now();
    let entry = this.cache.get(hash);
    if (!entry || entry.expiresAt <= now) {
      const { principal } = await this.bus.request(Subjects.billingAuth, { keyHash: hash }, { ctx });
      entry = { principal, expiresAt: now + (principal ? this.config.AUTH_CACHE_TTL_MS : NEGATIVE_TTL_MS) };
      if (this.cache.size >= MAX_ENTRIES) this.cache.delete(this.cache.keys().next().value!);
      this.cache.set(hash, entry);
    }
    if (!entry.principal) throw invalidKey(key);
    if (entry.principal.expiresAt && Date.parse(entry.principal.expiresAt) <= now) {
      throw new TfError('invalid_api_key', `This API key expired at ${entry.principal.expiresAt}.`);
    }
    return entry.principal;
  }
}

function bearer(header: string | undefined): string | null {
  if (!header) return null;
  const m = /^Bearer\s+(\S+)\s*$/i.exec(header);
  return m ? m[1] : null;
}

/** Like OpenAI: show only the ends of the key, so logs and screenshots of errors do not leak it. */
function invalidKey(key: string): TfError {
  const shown = key.length > 10 ? `${key.slice(0, 3)}***${key.slice(-4)}` : '***';
  return new TfError('invalid_api_key', `Incorrect API key provided: ${shown}.`);
}
