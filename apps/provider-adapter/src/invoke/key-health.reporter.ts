import { Injectable } from '@nestjs/common';
import { type KeyFailedEvent, type PlannedAttempt, Subjects, type TfError } from '@tokenflow/contracts';
import { NatsBus } from '@tokenflow/messaging';

const REASONS: Partial<Record<TfError['code'], KeyFailedEvent['reason']>> = {
  upstream_auth_error: 'auth',
  upstream_quota_error: 'quota',
  // A 429 limits this key's account, not the channel: the router cools the key down for the upstream's Retry-After.
  // (An overloaded upstream is an `upstream_error`, the channel's business, so it never lands here.)
  rate_limit_exceeded: 'rate_limited',
};

/**
 * Tells the router when an upstream refuses a channel key itself (bad credentials, out of credit, rate limited), so
 * the key is benched or cooled down for everyone instead of failing request after request. Call it only with what
 * the upstream answered: our own upstream-quota limiter's 429 says nothing about the key's account.
 */
@Injectable()
export class KeyHealthReporter {
  constructor(private readonly bus: NatsBus) {}

  /** The key is named by the attempt's `keyRef` (its fingerprint), never in clear. */
  report(attempt: PlannedAttempt, error: TfError): void {
    const reason = REASONS[error.code];
    if (!reason) return;
    const event: KeyFailedEvent = { channelId: attempt.channelId, keyFingerprint: attempt.keyRef, reason };
    if (reason === 'rate_limited' && error.retryAfterMs !== undefined) event.retryAfterMs = error.retryAfterMs;
    this.bus.emit(Subjects.routerKeyFailed, event);
  }
}
