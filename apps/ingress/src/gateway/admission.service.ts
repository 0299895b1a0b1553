import { Inject, Injectable } from '@nestjs/common';
import {
  type ErrorCode,
  type HoldReleaseEvent,
  type HoldReply,
  type KeyPrincipal,
  type PlanReply,
  type RateLimitAcquireReply,
  type RateLimitAcquireRequest,
  Subjects,
  TfError,
} from '@tokenflow/contracts';
import { type CallContext, NatsBus } from '@tokenflow/messaging';
import { createLogger, throttledLog } from '@tokenflow/observability';
import { Counter, type Registry } from 'prom-client';
import { INGRESS_CONFIG, type IngressConfig } from '../config';
import { METRICS_REGISTRY } from '../health/metrics.tokens';

/** Errors with which billing refused a hold it then did not place: nothing to release. */
const HOLD_REFUSALS = new Set<ErrorCode>(['insufficient_quota', 'model_not_priced', 'invalid_api_key']);

/** A concurrency slot outlives its request's deadline by this much before the lease frees it. */
const LEASE_SLACK_MS = 30_000;

/** What a limiter that could not be asked (or could not reach Redis) stands for: nothing known, maybe something taken. */
const UNCOUNTED: RateLimitAcquireReply = { requests: null, tokens: null, degraded: true, reserved: true };

export interface Admission {
  limits: RateLimitAcquireReply;
  hold: HoldReply;
}

export interface AdmissionRequest {
  requestId: string;
  /** What the hold must cover (see `holdSize`). */
  size: { promptTokens: number; maxOutputTokens: number };
  principal: KeyPrincipal;
  plan: PlanReply;
  deadlineAt: number;
  ctx: CallContext;
  /**
   * Limits an earlier round of the same call already took (`auto`'s context fallback): not taken again, and not
   * given back here if the hold fails — the call releases them once, at its end.
   */
  carried?: RateLimitAcquireReply;
}

/**
 * Rate limits, then the billing hold, once the plan names the real model. A rate-limited request never reaches
 * billing; a request billing refuses gives its rate-limit slots and tokens back.
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

  async admit({ requestId, size, principal, plan, deadlineAt, ctx, carried }: AdmissionRequest): Promise<Admission> {
    const ids = { requestId, accountId: principal.accountId, keyId: principal.keyId };
    // Limits first: a flood of denied requests must not reach billing (no hold, no ledger rows, no Redis writes).
    const limits = carried ?? await this.limit(
      {
        ...ids,
        model: plan.model,
        estimatedTokens: size.promptTokens + size.maxOutputTokens,
        key: principal.limits,
        account: principal.accountLimits,
        leaseMs: deadlineAt - Date.now() + LEASE_SLACK_MS,
      },
      ctx,
    );
    try {
      const hold = await this.bus.request(Subjects.billingHold, { ...ids, model: plan.model, keyBudget: principal.budget, ...size }, { ctx });
      return { limits, hold };
    } catch (err) {
      // Refused or failed: the request never runs, so its slots and its whole TPM reservation go back.
      if (!carried) this.releaseLimits(limits, requestId, principal.accountId, true);
      if (!(err instanceof TfError) || !HOLD_REFUSALS.has(err.code)) {
        // Billing may have placed the hold without our hearing back (it was slow or died): release it durably,
        // which also refuses the hold if it arrives later. A refusal billing decided placed nothing.
        await this.publishRelease(ids);
      }
      throw err;
    }
  }

  private async limit(req: RateLimitAcquireRequest, ctx: CallContext): Promise<RateLimitAcquireReply> {
    let limits: RateLimitAcquireReply;
    try {
      limits = await this.bus.request(Subjects.ratelimitAcquire, req, { ctx, timeoutMs: this.config.RATELIMIT_TIMEOUT_MS });
    } catch (err) {
      if (err instanceof TfError && err.code === 'rate_limit_exceeded') throw err;
      this.unavailableLog((suppressed) => this.log.error({ err, requestId: req.requestId, suppressed }, `ratelimit service unavailable: failing ${this.config.RATELIMIT_FAIL_MODE}`));
      limits = UNCOUNTED;
    }
    if (!limits.degraded) return limits;
    const open = this.config.RATELIMIT_FAIL_MODE === 'open';
    this.degraded.inc({ outcome: open ? 'admitted' : 'refused' });
    if (open) return limits;
    this.releaseLimits(limits, req.requestId, req.accountId, true);
    throw new TfError('service_unavailable', 'Rate limiting is temporarily unavailable. Please retry shortly.', { retryAfterMs: 1_000 });
  }

  /** Frees the request's concurrency slots; `refundTokens` when no usage event will correct its TPM estimate. */
  releaseLimits(limits: RateLimitAcquireReply, requestId: string, accountId: string, refundTokens: boolean): void {
    if (limits.reserved) this.bus.emit(Subjects.ratelimitRelease, { requestId, accountId, refundTokens });
  }

  /** At once when billing answers (the money is spendable again immediately), else durably through JetStream. */
  async releaseHold(release: HoldReleaseEvent): Promise<void> {
    try {
      await this.bus.request(Subjects.billingHoldReleaseNow, release, { timeoutMs: 2_000 });
    } catch {
      await this.publishRelease(release);
    }
  }

  private async publishRelease(release: HoldReleaseEvent): Promise<void> {
    try {
      await this.bus.publishDurable(Subjects.billingHoldRelease, release, `release:${release.requestId}`);
    } catch (err) {
      // The expiry job releases it later; the request's own error matters more to the caller.
      this.log.warn({ err, requestId: release.requestId }, 'hold release could not be published');
    }
  }
}
