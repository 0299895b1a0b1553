import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { TfError } from '@tokenflow/contracts';
import { failedOutcome } from '../health/attempt-outcome';
import { abortCause, healthFailure } from './attempt-failure';
import { CallerGoneError, CancelledError, ShutdownError } from './cancellation.registry';

/** An attempt's two signals, `cancel` aborted with `reason` (the attempt's combined signal follows it). */
function aborted(reason?: Error) {
  const cancel = new AbortController();
  const deadline = new AbortController();
  const signal = AbortSignal.any([cancel.signal, deadline.signal]);
  if (reason) cancel.abort(reason);
  return { cancel: cancel.signal, signal, deadline };
}

describe('attempt failure', () => {
  it('regression: a frame that cannot be sent (NATS dropped) ends the attempt without marking the channel unhealthy', () => {
    const { cancel, signal } = aborted(new CallerGoneError());
    const error = abortCause(signal, cancel);
    assert.ok(error instanceof CallerGoneError, 'not an upstream_timeout');
    assert.deepEqual(failedOutcome(healthFailure(error, { watchdogFired: false, signal, cancel }), true), { kind: 'neutral' });
  });

  it('a shutdown and a client cancel are neutral too', () => {
    for (const reason of [new ShutdownError(), new CancelledError('client')]) {
      const { cancel, signal } = aborted(reason);
      const error = abortCause(signal, cancel)!;
      assert.deepEqual(failedOutcome(healthFailure(error, { watchdogFired: false, signal, cancel }), true), { kind: 'neutral' }, reason.name);
    }
  });

  it('the request deadline is the caller’s budget (neutral); a channel’s own timeout counts against it', () => {
    const { cancel, signal, deadline } = aborted();
    deadline.abort();
    const error = abortCause(signal, cancel)!;
    assert.equal((error as TfError).code, 'upstream_timeout');
    assert.equal(healthFailure(error, { watchdogFired: false, signal, cancel }), 'deadline');
    const fired = new TfError('upstream_timeout', 'idle');
    assert.deepEqual(failedOutcome(healthFailure(fired, { watchdogFired: true, signal, cancel }), true), { kind: 'failed' });
  });

  it('nothing aborted: no abort cause (the transport error is mapped instead)', () => {
    const { cancel, signal } = aborted();
    assert.equal(abortCause(signal, cancel), null);
  });
});
