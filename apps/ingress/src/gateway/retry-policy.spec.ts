import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { TfError } from '@tokenflow/contracts';
import { ATTEMPT } from '../../test/support/lifecycle-fakes';
import { type FailedAttempt, nextDelayedTry } from './retry-policy';

const NOW = 1_000_000;
const key = (ref: string) => ({ ...ATTEMPT, keyRef: ref });
const failed = (ref: string, error: TfError, ago = 0): FailedAttempt => ({ attempt: key(ref), error, at: NOW - ago });
const BUDGET = { delayedSoFar: 0, baseMs: 500, maxWaitMs: 10_000, remainingMs: 60_000 };
const limited = (retryAfterMs?: number) => new TfError('rate_limit_exceeded', '429', { retryable: true, retryAfterMs });
const server = () => new TfError('upstream_error', '500', { retryable: true });

describe('nextDelayedTry', () => {
  it("waits out the upstream's Retry-After, counted from when it was said", () => {
    assert.deepEqual(nextDelayedTry([failed('a', limited(2_000), 500)], BUDGET, NOW), { attempt: key('a'), delayMs: 1_500 });
  });

  it('picks the key that can go soonest, and at equal waits not the one that failed last', () => {
    assert.equal(nextDelayedTry([failed('a', limited(3_000)), failed('b', limited(1_000))], BUDGET, NOW)!.attempt.keyRef, 'b');
    assert.equal(nextDelayedTry([failed('a', server()), failed('b', server())], BUDGET, NOW, () => 0.5)!.attempt.keyRef, 'a');
  });

  it('backs off exponentially with jitter without a Retry-After', () => {
    const lo = nextDelayedTry([failed('a', server())], { ...BUDGET, delayedSoFar: 2 }, NOW, () => 0)!.delayMs;
    const hi = nextDelayedTry([failed('a', server())], { ...BUDGET, delayedSoFar: 2 }, NOW, () => 0.999)!.delayMs;
    assert.deepEqual([lo, Math.round(hi / 10) * 10], [1_000, 2_000]);
  });

  it('does not wait for timeouts or refused keys, nor beyond the cap or the deadline', () => {
    assert.equal(nextDelayedTry([failed('a', new TfError('upstream_timeout', 't', { retryable: true }))], BUDGET, NOW), null);
    assert.equal(nextDelayedTry([failed('a', new TfError('upstream_auth_error', '401', { retryable: true }))], BUDGET, NOW), null);
    assert.equal(nextDelayedTry([failed('a', limited(30_000))], BUDGET, NOW), null, 'beyond RETRY_MAX_WAIT_MS');
    assert.equal(nextDelayedTry([failed('a', limited(2_000))], { ...BUDGET, remainingMs: 2_500 }, NOW), null, 'no time left to run after the wait');
  });

  it("judges a key by its latest failure", () => {
    // Key a was rate limited, then refused its credentials: it is not waited for.
    assert.equal(nextDelayedTry([failed('a', limited(1_000)), failed('a', new TfError('upstream_auth_error', '401', { retryable: true }))], BUDGET, NOW), null);
  });
});
