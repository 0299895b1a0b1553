import { TfError } from '@tokenflow/contracts';
import type { failedOutcome } from '../health/attempt-outcome';
import { CallerGoneError, CancelledError, ShutdownError } from './cancellation.registry';

/**
 * What ended an aborted attempt, from its abort signals: `cancel` is ours (a client cancel, the shutdown, the caller's
 * inbox gone), `signal` adds the watchdog and the request's deadline. Null when nothing was aborted.
 */
export function abortCause(signal: AbortSignal, cancel: AbortSignal): TfError | 'cancelled' | null {
  if (cancel.aborted && cancel.reason instanceof CancelledError) return 'cancelled';
  if (cancel.aborted && (cancel.reason instanceof ShutdownError || cancel.reason instanceof CallerGoneError)) return cancel.reason;
  if (signal.aborted) return new TfError('upstream_timeout', 'The request deadline passed before the upstream finished.');
  return null;
}

/**
 * The failure a channel's health is told of. A shutdown or a lost caller says nothing about the channel (neutral,
 * like a cancel); nor does the request's own deadline (the caller's budget, unlike the channel's first-byte and idle
 * deadlines that the watchdog fires).
 */
export function healthFailure(error: TfError | 'cancelled', o: { watchdogFired: boolean; signal: AbortSignal; cancel: AbortSignal }): Parameters<typeof failedOutcome>[0] {
  const reason: unknown = o.cancel.reason;
  if (o.cancel.aborted && (reason instanceof ShutdownError || reason instanceof CallerGoneError)) return 'cancelled';
  return error !== 'cancelled' && !o.watchdogFired && !o.cancel.aborted && o.signal.aborted ? 'deadline' : error;
}
