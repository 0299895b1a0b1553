import { Injectable } from '@nestjs/common';
import { type InvokeRequest, Subjects, TfError } from '@tokenflow/contracts';
import { NatsBus } from '@tokenflow/messaging';
import { createLogger } from '@tokenflow/observability';

/**
 * The provider's quota on the upstream key an attempt uses (a channel's `key_limits`), counted across every
 * replica by the ratelimit service. A saturated key fails the attempt as retryable before anything is sent, so
 * ingress moves on to the next channel.
 */
@Injectable()
export class UpstreamQuota {
  private readonly log = createLogger('provider-adapter.upstream-quota');

  constructor(private readonly bus: NatsBus) {}

  /** Returns whether a reservation was taken (and must be settled). Throws the retryable denial. */
  async acquire(req: InvokeRequest): Promise<boolean> {
    const limits = req.attempt.upstreamLimits;
    if (!limits) return false;
    try {
      await this.bus.request(
        Subjects.ratelimitUpstreamAcquire,
        { requestId: req.requestId, model: req.attempt.upstreamModel, limits, estimatedTokens: req.size.promptTokens + req.size.outputTokens },
        { timeoutMs: 1_000 },
      );
      return true;
    } catch (err) {
      if (err instanceof TfError && err.code === 'rate_limit_exceeded') throw err;
      // The limiter itself is unreachable: the provider's own 429 is the worst case, so call the upstream anyway.
      this.log.warn({ err, requestId: req.requestId }, 'upstream quota unavailable; calling the upstream unmetered');
      return false;
    }
  }

  /**
   * What the attempt really used replaces the estimate. A request that never left gives it all back; one that may
   * have reached the upstream without an answer keeps it, since the provider may well have counted it.
   */
  settle(req: InvokeRequest, answered: boolean, maybeSent: boolean, usage: { prompt_tokens?: number; completion_tokens?: number }): void {
    const ref = req.attempt.upstreamLimits?.ref;
    if (!ref || (maybeSent && !answered)) return;
    const actualTokens = answered ? (usage.prompt_tokens ?? 0) + (usage.completion_tokens ?? 0) : -1;
    this.bus.emit(Subjects.ratelimitUpstreamSettle, { requestId: req.requestId, ref, actualTokens });
  }
}
