import { Inject, Injectable } from '@nestjs/common';
import {
  type RateLimitAcquireReply,
  type RateLimitAcquireRequest,
  type RateLimitReleaseEvent,
  type UpstreamAcquireRequest,
  type UpstreamSettleEvent,
} from '@tokenflow/contracts';
import { createLogger, throttledLog } from '@tokenflow/observability';
import { RATELIMIT_CONFIG, type RatelimitConfig } from '../config';
import { RatelimitMetrics } from '../metrics/ratelimit-metrics';
import { type Bucket, bucketsFor, reservationKey, upstreamBucketsFor, upstreamReservationKey } from './buckets';
import { LimiterStore } from './limiter.store';
import { acquireReply, DEGRADED_REPLY, upstreamDenial } from './acquire-outcome';
import { acquireCall, leaseMsFor, settleCall } from './limit-script-calls';

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
    private readonly metrics: RatelimitMetrics,
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
      return { ...DEGRADED_REPLY };
    }
    this.metrics.observe(res, buckets);
    return acquireReply(res, buckets, req.estimatedTokens);
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
    this.metrics.observe(res, buckets, true);
    const denial = upstreamDenial(res, req.model);
    if (denial) throw denial;
    return { granted: true };
  }

  async settleUpstream(ev: UpstreamSettleEvent): Promise<void> {
    await this.settle(upstreamReservationKey(this.prefix, ev.ref, ev.requestId), ev.requestId, 'attempt', ev.actualTokens, false);
  }

  private async take(reservation: string, buckets: Bucket[], requestId: string, estimatedTokens: number, leaseMs?: number): Promise<number[]> {
    const call = acquireCall(reservation, buckets, requestId, estimatedTokens, leaseMsFor(leaseMs, this.config.CONCURRENCY_LEASE_MS));
    return (await this.store.run('acquire', call.keys, call.args)) as number[];
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
    const call = settleCall(resKey, await this.store.reservation(resKey), requestId, eventId, actual, freeSlots);
    if (call) await this.store.run('settle', call.keys, call.args);
  }

  private logDegraded(err: unknown, requestId: string): void {
    this.degradedLog((suppressed) =>
      this.log.error({ err, requestId, suppressed }, 'Redis unreachable: requests are not being counted (ingress applies RATELIMIT_FAIL_MODE)'),
    );
  }
}
