import { Injectable } from '@nestjs/common';
import { type PlannedAttempt, Subjects, type TfError } from '@tokenflow/contracts';
import { NatsBus } from '@tokenflow/messaging';

const REASONS: Partial<Record<TfError['code'], 'auth' | 'quota'>> = { upstream_auth_error: 'auth', upstream_quota_error: 'quota' };

/**
 * Tells the router when an upstream refuses a channel key itself (bad credentials, out of credit), so the key is
 * benched for everyone instead of failing request after request.
 */
@Injectable()
export class KeyHealthReporter {
  constructor(private readonly bus: NatsBus) {}

  /** The key is named by the attempt's `keyRef` (its fingerprint), never in clear. */
  report(attempt: PlannedAttempt, error: TfError): void {
    const reason = REASONS[error.code];
    if (reason) this.bus.emit(Subjects.routerKeyFailed, { channelId: attempt.channelId, keyFingerprint: attempt.keyRef, reason });
  }
}
