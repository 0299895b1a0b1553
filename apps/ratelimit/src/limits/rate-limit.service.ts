import { Inject, Injectable } from '@nestjs/common';
import {
  type LimitState,
  type RateLimitAcquireReply,
  type RateLimitAcquireRequest,
  type RateLimitReleaseEvent,
  rateLimitHeaders,
  TfError,
} from '@tokenflow/contracts';
import { createLogger } from '@tokenflow/observability';
import { RATELIMIT_CONFIG, type RatelimitConfig } from '../config';
import { bucketsFor, reservationKey } from './buckets';
import { LimiterStore } from './limiter.store';

/** Log Redis trouble at most this often (it would otherwise log once per request). */
const DEGRADED_LOG_EVERY_MS = 10_000;

/**
 * Admission against every limit that applies to a request (key, key×model, account, account×model: RPM, TPM,
 * concurrency), in one atomic script; release of concurrency slots; TPM correction from real usage.
 */
@Injectable()
export class RateLimitService {
  private readonly log = createLogger('ratelimit');
  private readonly prefix: string;
  private lastDegradedLog = 0;

  constructor(
    private readonly store: LimiterStore,
    @Inject(RATELIMIT_CONFIG) private readonly config: RatelimitConfig,
  ) {
    this.prefix = `tf:${config.TF_NAMESPACE}`;
  }

  async acquire(req: RateLimitAcquireRequest): Promise<RateLimitAcquireReply> {
    const buckets = bucketsFor(this.prefix, req, this.config.DEFAULT_KEY_RPM);
    if (buckets.length === 0) return { requests: null, tokens: null };
    let res: number[];
    try {
      res = (await this.store.run(
        'acquire',
        [reservationKey(this.prefix, req.accountId, req.requestId), ...buckets.map((b) => b.key)],
        [req.requestId, Math.max(0, Math.ceil(req.estimatedTokens)), this.config.CONCURRENCY_LEASE_MS, ...buckets.flatMap((b) => [b.kind, b.limit])],
      )) as number[];
    } catch (err) {
      return this.degraded(err, req.requestId);
    }
    const granted = res[0] === 1;
    const dims = granted ? res.slice(1) : res.slice(3);
    const state = { requests: dimension(dims[0], dims[1], dims[2]), tokens: dimension(dims[3], dims[4], dims[5]) };
    if (granted) return state;
    const bucket = buckets[res[1] - 1];
    const retryMs = res[2];
    if (retryMs < 0) {
      throw new TfError(
        'rate_limit_exceeded',
        `Request too large: it may use ${req.estimatedTokens} tokens, more than the limit of ${bucket.limit} ${bucket.label}. Lower max_tokens or shorten the prompt.`,
        { headers: rateLimitHeaders(state) },
      );
    }
    throw new TfError('rate_limit_exceeded', `Rate limit exceeded. Try again in ${(retryMs / 1000).toFixed(1)}s. Limit: ${bucket.limit} ${bucket.label}.`, {
      retryAfterMs: retryMs,
      headers: rateLimitHeaders(state),
    });
  }

  /** Frees the request's concurrency slots; refunds its whole TPM reservation when no usage will correct it. */
  async release(ev: RateLimitReleaseEvent): Promise<void> {
    await this.settle(ev.accountId, ev.requestId, 'release', ev.refundTokens ? -1 : null, true);
  }

  /** Replaces the request's TPM estimate by what it really used (idempotent per usage event). */
  async correct(accountId: string, requestId: string, eventId: string, actualTokens: number): Promise<void> {
    await this.settle(accountId, requestId, eventId, actualTokens, false);
  }

  private async settle(accountId: string, requestId: string, eventId: string, actual: number | null, freeSlots: boolean): Promise<void> {
    const resKey = reservationKey(this.prefix, accountId, requestId);
    const r = await this.store.reservation(resKey);
    if (!r.est) return; // never admitted through us (no limits, or Redis was away), or long expired
    const tok = actual === null || !r.tok ? [] : r.tok.split(' ');
    const conc = freeSlots && r.conc ? r.conc.split(' ') : [];
    if (tok.length === 0 && conc.length === 0) return;
    await this.store.run('settle', [resKey, ...tok, ...conc], [requestId, eventId, actual ?? 0, tok.length]);
  }

  private degraded(err: unknown, requestId: string): RateLimitAcquireReply {
    const mode = this.config.RATELIMIT_FAIL_MODE;
    const now = Date.now();
    if (now - this.lastDegradedLog > DEGRADED_LOG_EVERY_MS) {
      this.lastDegradedLog = now;
      this.log.error({ err, requestId, failMode: mode }, `Redis unreachable: rate limits fail ${mode}`);
    }
    if (mode === 'closed') throw new TfError('service_unavailable', 'Rate limiting is temporarily unavailable. Please retry shortly.', { retryAfterMs: 1_000 });
    return { requests: null, tokens: null, degraded: true };
  }
}

function dimension(limit: number, remaining: number, resetMs: number): LimitState | null {
  return limit < 0 ? null : { limit, remaining, resetMs };
}
