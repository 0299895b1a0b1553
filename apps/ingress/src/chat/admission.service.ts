import { Inject, Injectable } from '@nestjs/common';
import {
  type ErrorCode,
  type HoldReleaseEvent,
  type HoldReply,
  type KeyPrincipal,
  type PlanReply,
  type RateLimitAcquireReply,
  Subjects,
  TfError,
} from '@tokenflow/contracts';
import { type CallContext, NatsBus } from '@tokenflow/messaging';
import { createLogger } from '@tokenflow/observability';
import type { ChatRequest } from '@tokenflow/openai';
import { Counter, type Registry } from 'prom-client';
import { METRICS_REGISTRY } from '../health/metrics.tokens';
import { holdSize } from './hold-size';

/** Errors with which billing refused a hold it then did not place: nothing to release. */
const HOLD_REFUSALS = new Set<ErrorCode>(['insufficient_quota', 'model_not_priced', 'invalid_api_key']);

export interface Admission {
  limits: RateLimitAcquireReply;
  hold: HoldReply;
}

export interface AdmissionRequest {
  requestId: string;
  body: ChatRequest;
  principal: KeyPrincipal;
  plan: PlanReply;
  ctx: CallContext;
}

/**
 * Rate limits, then the billing hold, once the plan names the real model. A rate-limited request never reaches
 * billing; a request billing refuses gives its rate-limit slots and tokens back.
 */
@Injectable()
export class AdmissionService {
  private readonly log = createLogger('ingress.admission');
  private readonly degraded: Counter;

  constructor(
    private readonly bus: NatsBus,
    @Inject(METRICS_REGISTRY) registry: Registry,
  ) {
    this.degraded = new Counter({
      name: 'tokenflow_ratelimit_degraded_total',
      help: 'Requests admitted without rate limiting because the limiter could not reach Redis (fail-open)',
      registers: [registry],
    });
  }

  async admit({ requestId, body, principal, plan, ctx }: AdmissionRequest): Promise<Admission> {
    const size = holdSize(body, plan.maxOutputTokens);
    const ids = { requestId, accountId: principal.accountId, keyId: principal.keyId };
    // Limits first: a flood of denied requests must not reach billing (no hold, no ledger rows, no Redis writes).
    const limits = await this.bus.request(
      Subjects.ratelimitAcquire,
      { ...ids, model: plan.model, estimatedTokens: size.promptTokens + size.maxOutputTokens, key: principal.limits, account: principal.accountLimits },
      { ctx },
    );
    if (limits.degraded) this.degraded.inc();
    try {
      const hold = await this.bus.request(Subjects.billingHold, { ...ids, model: plan.model, keyBudget: principal.budget, ...size }, { ctx });
      return { limits, hold };
    } catch (err) {
      // Refused or failed: the request never runs, so its slots and its whole TPM reservation go back.
      this.releaseLimits(limits, requestId, principal.accountId, true);
      if (!(err instanceof TfError) || !HOLD_REFUSALS.has(err.code)) {
        // Billing may have placed the hold without our hearing back (it was slow or died): release it durably,
        // which also refuses the hold if it arrives later. A refusal billing decided placed nothing.
        await this.publishRelease(ids);
      }
      throw err;
    }
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
