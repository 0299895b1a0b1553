import { Inject, Injectable } from '@nestjs/common';
import {
  type LimitState,
  type RateLimitAcquireReply,
  type RateLimitAcquireRequest,
  type RateLimitReleaseEvent,
  type UpstreamAcquireRequest,
  type UpstreamSettleEvent,
  rateLimitHeaders,
  TfError,
} from '@tokenflow/contracts';
import { createLogger, throttledLog } from '@tokenflow/observability';
import { RATELIMIT_CONFIG, type RatelimitConfig } from '../config';
import { type Bucket, bucketsFor, reservationKey, upstreamBucketsFor, upstreamReservationKey } from './buckets';
import { LimiterStore } from './limiter.store';


/**
 * Admission against every limit that applies to a request (key, key×model, account, account×model: RPM, TPM,
 * concurrency), in one atomic script; release of concurrency slots; TPM correction from real usage.
 */
@Injectable()
export class RateLimitService {
  private readonly log = createLogger('ratelimit');
  private readonly prefix: string;
  private readonly degradedLog = throttledLog(10_000);

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
      res = await this.take(reservationKey(this.prefix, req.accountId, req.requestId), buckets, req.requestId, req.estimatedTokens, req.leaseMs);
    } catch (err) {
      this.logDegraded(err, req.requestId);
      // The script may have run before the timeout fired: reserved, so ingress gives back whatever it took.
      return { requests: null, tokens: null, degraded: true, reserved: true };
    }
    const granted = res[0] === 1;
    const dims = granted ? res.slice(1) : res.slice(3);
    const state = { requests: dimension(dims[0], dims[1], dims[2]), tokens: dimension(dims[3], dims[4], dims[5]) };
    // Requests per minute need no release; slots and token reservations do.
    if (granted) return buckets.some((b) => b.kind !== 'r') ? { ...state, reserved: true } : state;
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

  /**
   * An attempt's upstream key against the provider's quota for it. A denial is retryable: ingress moves on to the
   * next channel, and only when every one is saturated does the caller get the 429.
   */
  async acquireUpstream(req: UpstreamAcquireRequest): Promise<{ granted: true }> {
    const buckets = upstreamBucketsFor(this.prefix, req);
    if (buckets.length === 0) return { granted: true };
    let res: number[];
    try {
      res = await this.take(upstreamReservationKey(this.prefix, req.limits.ref, req.requestId), buckets, req.requestId, req.estimatedTokens);
    } catch (err) {
      // The provider's own 429 is the worst that can happen: call the upstream unmetered.
      this.logDegraded(err, req.requestId);
      return { granted: true };
    }
    if (res[0] === 1) return { granted: true };
    const retryMs = res[2] < 0 ? undefined : res[2];
    throw new TfError('rate_limit_exceeded', `Upstream capacity for ${req.model} is exhausted. Try again in ${((retryMs ?? 60_000) / 1000).toFixed(1)}s.`, {
      retryAfterMs: retryMs ?? 60_000,
      retryable: true,
    });
  }

  async settleUpstream(ev: UpstreamSettleEvent): Promise<void> {
    await this.settle(upstreamReservationKey(this.prefix, ev.ref, ev.requestId), ev.requestId, 'attempt', ev.actualTokens, false);
  }

  private leaseMs(asked: number | undefined): number {
    const max = this.config.CONCURRENCY_LEASE_MS;
    return asked && asked > 0 ? Math.min(Math.ceil(asked), max) : max;
  }

  private async take(reservation: string, buckets: Bucket[], requestId: string, estimatedTokens: number, leaseMs?: number): Promise<number[]> {
    return (await this.store.run(
      'acquire',
      [reservation, ...buckets.map((b) => b.key)],
      [requestId, Math.max(0, Math.ceil(estimatedTokens)), this.leaseMs(leaseMs), ...buckets.flatMap((b) => [b.kind, b.limit])],
    )) as number[];
  }

  /** Frees the request's concurrency slots; refunds its whole TPM reservation when no usage will correct it. */
  async release(ev: RateLimitReleaseEvent): Promise<void> {
    await this.settle(reservationKey(this.prefix, ev.accountId, ev.requestId), ev.requestId, 'release', ev.refundTokens ? -1 : null, true);
  }

  /** Replaces the request's TPM estimate by what it really used (idempotent per usage event). */
  async correct(accountId: string, requestId: string, eventId: string, actualTokens: number): Promise<void> {
    await this.settle(reservationKey(this.prefix, accountId, requestId), requestId, eventId, actualTokens, false);
  }

  private async settle(resKey: string, requestId: string, eventId: string, actual: number | null, freeSlots: boolean): Promise<void> {
    const r = await this.store.reservation(resKey);
    if (!r.est) return; // never admitted through us (no limits, or Redis was away), or long expired
    const tok = actual === null ? [] : keyList(r.tok);
    const conc = freeSlots ? keyList(r.conc) : [];
    if (tok.length === 0 && conc.length === 0) return;
    await this.store.run('settle', [resKey, ...tok, ...conc], [requestId, eventId, actual ?? 0, tok.length]);
  }

  private logDegraded(err: unknown, requestId: string): void {
    this.degradedLog((suppressed) =>
      this.log.error({ err, requestId, suppressed }, 'Redis unreachable: requests are not being counted (ingress applies RATELIMIT_FAIL_MODE)'),
    );
  }
}

function keyList(stored: string | undefined): string[] {
  return stored ? (JSON.parse(stored) as string[]) : [];
}

function dimension(limit: number, remaining: number, resetMs: number): LimitState | null {
  return limit < 0 ? null : { limit, remaining, resetMs };
}
