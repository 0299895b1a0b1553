import { Injectable } from '@nestjs/common';
import { context } from '@opentelemetry/api';
import { type InvokeRequest, TfError } from '@tokenflow/contracts';
import { NatsBus } from '@tokenflow/messaging';
import { createLogger, parentContext, tracingOn } from '@tokenflow/observability';
import { LRUCache } from 'lru-cache';
import { InvokeService } from '../invoke/invoke.service';
import { UsagePublisher } from '../usage/usage.publisher';
import type { RetryJob } from './retry-job';

/** Long enough to outlive any wait on the queue: no request lives longer than the adapter's unbounded-call limit. */
const REMEMBER_CANCELS_MS = 10 * 60_000;
/** Cancels remembered at most (a few MB): past it the oldest go, which only matters for a job whose scheduler died. */
const MAX_CANCELS = 20_000;

export type RetryStart = 'started' | 'cancelled' | 'expired';

/**
 * Starts a delayed attempt when its job comes due, on whichever replica's worker took it, exactly as an invoke
 * from the bus would be started. The job only carried the wait: the attempt is not awaited (its frames go to the
 * caller's inbox as usual), so a worker slot is never held for a stream's length.
 */
@Injectable()
export class RetryRunner {
  private readonly log = createLogger('provider-adapter.retry');
  /**
   * Requests cancelled lately. Every replica hears every cancel, but only the scheduling replica knows the job to
   * remove; if it is gone, the replica whose worker takes the job skips it here, so a cancelled request never
   * starts upstream. Memory only: a cancel costs no Redis round trip on any replica.
   */
  private readonly cancelled = new LRUCache<string, true>({ max: MAX_CANCELS, ttl: REMEMBER_CANCELS_MS, ttlAutopurge: false });

  constructor(
    private readonly bus: NatsBus,
    private readonly invoke: InvokeService,
    private readonly usage: UsagePublisher,
  ) {}

  /**
   * A waiting retry that will never run still closes its request on the ledger, as a cancelled attempt does: a
   * zero-cost usage event settles (releases) the hold now instead of leaving it to the expiry job. Its event id is
   * the attempt's, so the replica that removed the job and one that skipped it settle it once.
   */
  settleCancelled(request: InvokeRequest): void {
    this.usage
      .publish(request, { prompt_tokens: 0, completion_tokens: 0, total_tokens: 0 }, 'estimated', 'cancelled', { ttftMs: null, durationMs: 0 })
      .catch((err: unknown) => this.log.error({ err, requestId: request.requestId }, 'cancelled retry not settled'));
  }

  noteCancelled(requestId: string): void {
    this.cancelled.set(requestId, true);
  }

  start({ request, deadline, trace }: RetryJob): RetryStart {
    if (this.cancelled.has(request.requestId)) {
      this.log.debug({ requestId: request.requestId, ...trace }, 'retry skipped: the request was cancelled');
      this.settleCancelled(request);
      return 'cancelled';
    }
    if (Date.now() >= deadline) {
      // The caller may still be listening (its deadline and ours differ by clock skew): it gets a terminal frame.
      const error = new TfError('upstream_timeout', 'The request deadline passed before its retry was due.');
      this.bus.sendFrame(request.inbox, { type: 'error', seq: 0, error: { ...error.toWire(), retryable: false } });
      return 'expired';
    }
    // The attempt joins the request's trace (the job carried its context), on whichever replica runs it.
    const run = tracingOn() ? context.with(parentContext(trace.traceparent), () => this.invoke.run(request, deadline)) : this.invoke.run(request, deadline);
    run.catch((err: unknown) => this.log.error({ err, requestId: request.requestId, ...trace }, 'retried attempt failed outside its own error handling'));
    return 'started';
  }
}
