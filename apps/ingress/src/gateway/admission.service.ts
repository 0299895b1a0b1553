import { Inject, Injectable } from '@nestjs/common';
import {
  type HoldReply,
  type KeyPrincipal,
  type PlanReply,
  type RateLimitAcquireReply,
  type RateLimitAcquireRequest,
  type RequestSize,
  Subjects,
  TfError,
} from '@tokenflow/contracts';
import { type CallContext, NatsBus, remainingMs } from '@tokenflow/messaging';
import { createLogger, throttledLog } from '@tokenflow/observability';
import { Counter, type Registry } from 'prom-client';
import { INGRESS_CONFIG, type IngressConfig } from '../config';
import { METRICS_REGISTRY } from '../health/metrics.tokens';
import type { RequestSaga } from './request-saga';

/** A concurrency slot outlives its request's deadline by this much before the lease frees it. */
const LEASE_SLACK_MS = 30_000;

/** What a limiter that could not be asked (or could not reach Redis) stands for: nothing known, maybe something taken. */
const UNCOUNTED: RateLimitAcquireReply = { requests: null, tokens: null, degraded: true, reserved: true };

/**
 * Rate limits, then the billing hold, once the plan names the real model. A rate-limited request never reaches
 * billing (no hold, no ledger rows, no Redis writes). What is taken is recorded on the saga, which gives it back.
 */
@Injectable()
export class AdmissionService {
  private readonly log = createLogger('ingress.admission');
  private readonly degraded: Counter;
  private readonly unavailableLog = throttledLog(10_000);

  constructor(
    private readonly bus: NatsBus,
    @Inject(INGRESS_CONFIG) private readonly config: IngressConfig,
    @Inject(METRICS_REGISTRY) registry: Registry,
  ) {
    this.degraded = new Counter({
      name: 'tokenflow_ratelimit_degraded_total',
      help: 'Requests the limiter could not count (Redis or the ratelimit service unreachable), by what RATELIMIT_FAIL_MODE did with them',
      labelNames: ['outcome'],
      registers: [registry],
    });
  }

  /** Admits one round: the call's limits (taken by its first round only), then the round's hold. */
  async admit(principal: KeyPrincipal, plan: PlanReply, size: RequestSize, saga: RequestSaga, ctx: CallContext): Promise<HoldReply> {
    const ids = { requestId: saga.requestId, accountId: principal.accountId, keyId: principal.keyId };
    const reserve = { promptTokens: size.promptReserve, maxOutputTokens: size.outputTokens };
    // Audio, service tier and cache writes change the price: billing holds (and quotes) by them.
    const terms = size.terms ? { terms: size.terms } : {};
    if (!saga.admittedLimits) {
      const limits = await this.limit(
        {
          ...ids,
          model: plan.model,
          estimatedTokens: reserve.promptTokens + reserve.maxOutputTokens,
          key: principal.limits,
          account: principal.accountLimits,
          leaseMs: remainingMs(ctx) + LEASE_SLACK_MS,
        },
        ctx,
      );
      saga.limitsTaken(limits);
      this.applyFailMode(limits);
    }
    try {
      const hold = await this.bus.request(Subjects.billingHold, { ...ids, model: plan.model, keyBudget: principal.budget, ...reserve, ...terms }, { ctx });
      saga.holdPlaced();
      return hold;
    } catch (err) {
      await saga.holdFailed(err);
      throw err;
    }
  }

  private async limit(req: RateLimitAcquireRequest, ctx: CallContext): Promise<RateLimitAcquireReply> {
    try {
      return await this.bus.request(Subjects.ratelimitAcquire, req, { ctx, timeoutMs: this.config.RATELIMIT_TIMEOUT_MS });
    } catch (err) {
      // A denial, or the call's own deadline running out, is the request's answer, not an outage of the limiter.
      if (err instanceof TfError && (err.code === 'rate_limit_exceeded' || remainingMs(ctx) < 1)) throw err;
      this.unavailableLog((suppressed) => this.log.error({ err, requestId: req.requestId, suppressed }, `ratelimit service unavailable: failing ${this.config.RATELIMIT_FAIL_MODE}`));
      return UNCOUNTED;
    }
  }

  /** A limiter that could not count: admitted or refused, as RATELIMIT_FAIL_MODE says (the saga releases what was taken). */
  private applyFailMode(limits: RateLimitAcquireReply): void {
    if (!limits.degraded) return;
    const open = this.config.RATELIMIT_FAIL_MODE === 'open';
    this.degraded.inc({ outcome: open ? 'admitted' : 'refused' });
    if (!open) throw new TfError('service_unavailable', 'Rate limiting is temporarily unavailable. Please retry shortly.', { retryAfterMs: 1_000 });
  }
}
