import { Injectable } from '@nestjs/common';
import { type HoldReleaseEvent, type KeyPrincipal, Subjects } from '@tokenflow/contracts';
import { NatsBus } from '@tokenflow/messaging';
import { createLogger } from '@tokenflow/observability';
import type { Compensations } from './request-saga';

/** How long billing may take to release a hold at once before the release goes the durable way. */
const RELEASE_NOW_TIMEOUT_MS = 2_000;

/** The saga's compensations over NATS, for one caller. */
@Injectable()
export class BusCompensations {
  private readonly log = createLogger('ingress.compensations');

  constructor(private readonly bus: NatsBus) {}

  forCall(principal: KeyPrincipal): Compensations {
    const ids = (requestId: string): HoldReleaseEvent => ({ requestId, accountId: principal.accountId, keyId: principal.keyId });
    return {
      releaseLimits: (limits, requestId, refundTokens) => {
        if (!limits.reserved) return;
        try {
          this.bus.emit(Subjects.ratelimitRelease, { requestId, accountId: principal.accountId, refundTokens });
        } catch (err) {
          // The limiter's own lease expiry frees the slot.
          this.log.warn({ err, requestId }, 'rate-limit release could not be sent');
        }
      },
      // At once when billing answers (the money is spendable again immediately), else durably through JetStream.
      releaseHold: async (requestId) => {
        try {
          await this.bus.request(Subjects.billingHoldReleaseNow, ids(requestId), { timeoutMs: RELEASE_NOW_TIMEOUT_MS });
        } catch {
          await this.publishRelease(ids(requestId));
        }
      },
      releaseUnknownHold: (requestId) => this.publishRelease(ids(requestId)),
      // Runs from event listeners (a client's socket closing): it must never throw there. A cancel that cannot be sent
      // (the connection is down) leaves the attempt to its own deadline; its usage still settles the hold.
      cancelAttempt: (requestId, reason) => {
        try {
          this.bus.emit(Subjects.adapterCancel, { requestId, reason }, requestId);
        } catch (err) {
          this.log.warn({ err, requestId, reason }, 'attempt cancel could not be sent');
        }
      },
    };
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
