import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { breakerConfig, report } from '../../test/support/health-fixtures';
import { HealthBook } from './health-book';

/** A book on a clock the test moves. */
function book(over: Parameters<typeof breakerConfig>[0] = {}) {
  let now = 1_000_000;
  const b = new HealthBook(breakerConfig(over), () => now);
  return { b, tick: (ms: number) => (now += ms), now: () => now };
}

const CH = { channelId: 'c', keyRef: null, model: 'm' };
const KEY = { channelId: 'c', keyRef: 'k', model: null };
const apply = (b: HealthBook, events: ReturnType<HealthBook['fold']>) => events.forEach((e) => b.apply(e));

describe('HealthBook', () => {
  it("opens the channel's breaker for that model once the window holds enough failures, not before, and leaves the key to the upstream's verdicts", () => {
    const { b } = book();
    assert.deepEqual(b.fold(report([{ channelId: 'c', ok: 2, failed: 2 }])), [], 'four attempts: under the minimum of five');
    const tripped = b.fold(report([{ channelId: 'c', failed: 1 }]));
    assert.deepEqual(tripped.map((e) => [e.keyRef, e.model, e.state, e.strikes]), [[null, 'm', 'open', 1]]);
    assert.match(tripped[0].reason, /error rate 60% \(3 of 5 attempts\)/);
    assert.equal(tripped[0].until, tripped[0].at + 10_000);
  });

  it("keeps a channel's other models serving when one model fails", () => {
    const { b } = book();
    apply(b, b.fold(report([{ channelId: 'c', keyRef: 'k1', model: 'broken', failed: 6 }, { channelId: 'c', keyRef: 'k2', model: 'fine', ok: 6 }])));
    assert.equal(b.channel('c', 'broken').state, 'open');
    assert.equal(b.channel('c', 'fine').state, 'closed');
    assert.equal(b.key('c', 'k2').state, 'closed');
  });

  it('leaves key-specific failures (credentials, credit, rate limits) to the upstream verdict events', () => {
    const { b } = book();
    assert.deepEqual(b.fold(report([{ channelId: 'c', keyFailed: 6 }, { channelId: 'c', keyRef: 'k2', ok: 6 }])), []);
    assert.equal(b.key('c', 'k').state, 'closed');
  });

  it('forgets failures once they leave the rolling window', () => {
    const { b, tick } = book();
    b.fold(report([{ channelId: 'c', failed: 4 }]));
    tick(31_000);
    assert.deepEqual(b.fold(report([{ channelId: 'c', failed: 1, ok: 1 }])), []);
    assert.equal(b.channel('c', 'm').attempts, 2);
  });

  it('applies a transition once, clears the window when a breaker closes, and keeps the strikes so a relapse waits longer', () => {
    const { b, tick } = book();
    const open = b.fold(report([{ channelId: 'c', failed: 5 }]))[0];
    assert.equal(b.apply(open), true);
    assert.equal(b.apply(open), false, 'an echo of the same transition changes nothing');
    assert.equal(b.channel('c', 'm').state, 'open');
    assert.deepEqual(b.dueForProbe(), [], 'cooling down');
    tick(10_001);
    assert.deepEqual(b.dueForProbe().map((t) => [t.channelId, t.keyRef, t.model]), [['c', null, 'm']]);
    b.apply(b.event(CH, 'closed', 'probe passed', null, 1));
    assert.equal(b.channel('c', 'm').attempts, 0, 'the errors that opened it no longer count');
    tick(1_000);
    const relapse = b.fold(report([{ channelId: 'c', failed: 5 }])).find((e) => e.keyRef === null)!;
    assert.deepEqual([relapse.strikes, relapse.until! - relapse.at], [2, 20_000], 'the second cool-down is twice the first');
    // After a quiet spell as long as the longest cool-down, strikes start over.
    b.apply(b.event(CH, 'closed', 'probe passed', null, 2));
    tick(300_001);
    assert.equal(b.fold(report([{ channelId: 'c', failed: 5 }])).find((e) => e.keyRef === null)!.strikes, 1);
  });

  it('lets traffic decide for a target planned as a last resort: an answer closes it, a failure reopens it for longer', () => {
    const { b, tick } = book();
    apply(b, b.fold(report([{ channelId: 'c', failed: 5 }])));
    tick(10_001);
    const reopened = b.fold(report([{ channelId: 'c', failed: 1 }])).find((e) => e.keyRef === null)!;
    assert.deepEqual([reopened.state, reopened.strikes, reopened.until! - reopened.at], ['open', 2, 20_000]);
    b.apply(reopened);
    tick(20_001);
    const healed = b.fold(report([{ channelId: 'c', ok: 1 }]));
    assert.deepEqual(healed.map((e) => [e.keyRef, e.model, e.state]), [[null, 'm', 'closed']]);
    // A disabled key planned last once due: an answer brings it back.
    const { b: keys, tick: later } = book();
    keys.apply(keys.keyFailed({ channelId: 'c', keyFingerprint: 'k', reason: 'auth' })!);
    later(5_001);
    assert.deepEqual(keys.fold(report([{ channelId: 'c', ok: 1 }])).map((e) => [e.keyRef, e.state]), [['k', 'closed']]);
  });

  it('disables a key on bad credentials or no credit, and cools it on a rate limit for its Retry-After', () => {
    const { b, now, tick } = book();
    const auth = b.keyFailed({ channelId: 'c', keyFingerprint: 'k', reason: 'auth' })!;
    assert.deepEqual([auth.keyRef, auth.model, auth.state, auth.until], ['k', null, 'disabled', now() + 5_000]);
    b.apply(auth);
    assert.equal(b.keyFailed({ channelId: 'c', keyFingerprint: 'k', reason: 'quota' }), null, 'already disabled');
    assert.equal(b.keyFailed({ channelId: 'c', keyFingerprint: 'k', reason: 'rate_limited' }), null, 'a rate limit does not revive a disabled key');
    const rl = b.keyFailed({ channelId: 'c', keyFingerprint: 'k2', reason: 'rate_limited', retryAfterMs: 7_000 })!;
    assert.deepEqual([rl.state, rl.until], ['cooling', now() + 7_000]);
    b.apply(rl);
    assert.equal(b.keyFailed({ channelId: 'c', keyFingerprint: 'k2', reason: 'rate_limited', retryAfterMs: 2_000 }), null, 'a shorter wait does not shorten it');
    const capped = b.keyFailed({ channelId: 'c', keyFingerprint: 'k3', reason: 'rate_limited', retryAfterMs: 3_600_000 })!;
    assert.equal(capped.until, now() + 60_000, 'a Retry-After beyond the cap is capped');
    assert.equal(b.keyFailed({ channelId: 'c', keyFingerprint: 'k4', reason: 'rate_limited' })!.until, now() + 1_000);
    tick(7_001);
    assert.equal(b.key('c', 'k2').state, 'closed', 'a cool-down that passed is closed again');
    assert.equal(b.view({ channelId: 'c', keyRef: 'k2', model: null }).until, null);
  });

  it('sums in-flight attempts over adapter replicas and drops a replica that stopped reporting', () => {
    const { b, tick } = book();
    b.fold(report([{ channelId: 'c', inFlight: 3 }], 'a1'));
    b.fold(report([{ channelId: 'c', inFlight: 4 }], 'a2'));
    assert.equal(b.key('c', 'k').inFlight, 7);
    assert.equal(b.channel('c', 'm').inFlight, 7);
    b.fold(report([{ channelId: 'c', inFlight: 1 }], 'a1'));
    tick(300);
    assert.equal(b.key('c', 'k').inFlight, 5, "a replica's new report replaces its old count");
    tick(3_000);
    b.fold(report([{ channelId: 'c', inFlight: 1 }], 'a1'));
    tick(300);
    assert.equal(b.key('c', 'k').inFlight, 1, 'a2 is gone after three of its intervals');
  });

  it('reports p50 TTFT and tokens per second, and shows them in the admin view', () => {
    const { b, tick } = book();
    b.fold(report([{ channelId: 'c', ok: 3, ttftMs: [100, 300, 200], outputTokens: 500, streamMs: 1_000 }]));
    tick(300);
    const v = b.view({ channelId: 'c', keyRef: null, model: null });
    assert.deepEqual([v.status, v.p50_ttft_ms, v.tokens_per_second, v.error_rate, v.attempts_in_window, v.until], ['closed', 200, 500, 0, 3, null]);
    assert.equal(b.view({ ...KEY, keyRef: 'other' }).error_rate, null, 'no attempts: no rate');
  });

  it('forgets a channel an operator changed', () => {
    const { b } = book();
    apply(b, b.fold(report([{ channelId: 'c', failed: 5 }])));
    b.forgetChannel('c');
    assert.equal(b.channel('c', 'm').state, 'closed');
    assert.equal(b.key('c', 'k').state, 'closed');
  });
});
