import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import type { InvokeRequest, WireStreamFrame } from '@tokenflow/contracts';
import type { NatsBus } from '@tokenflow/messaging';
import type { InvokeService } from '../invoke/invoke.service';
import type { UsagePublisher } from '../usage/usage.publisher';
import type { RetryJob } from './retry-job';
import { RetryRunner } from './retry.runner';

/** The runner over stand-ins: frames it sends and attempts it starts are recorded; `run` never settles unless told. */
function setup(run: (req: InvokeRequest, deadline: number) => Promise<void> = () => new Promise(() => undefined)) {
  const frames: { inbox: string; frame: WireStreamFrame }[] = [];
  const runs: { req: InvokeRequest; deadline: number }[] = [];
  const bus = { sendFrame: (inbox: string, frame: WireStreamFrame) => void frames.push({ inbox, frame }) } as unknown as NatsBus;
  const invoke = {
    run: (req: InvokeRequest, deadline: number) => {
      runs.push({ req, deadline });
      return run(req, deadline);
    },
  } as unknown as InvokeService;
  const settled: { requestId: string; outcome: string; tokens: number }[] = [];
  const usage = {
    publish: async (req: InvokeRequest, u: { total_tokens: number }, _source: string, outcome: string) => void settled.push({ requestId: req.requestId, outcome, tokens: u.total_tokens }),
  } as unknown as UsagePublisher;
  return { sut: new RetryRunner(bus, invoke, usage), frames, runs, settled };
}

const job = (requestId: string, deadline = Date.now() + 10_000): RetryJob => ({ request: { requestId, attemptNo: 2, inbox: `_INBOX.${requestId}` } as InvokeRequest, deadline, trace: {} });

describe('RetryRunner', () => {
  it('starts the attempt as the bus path does, without waiting for it to finish', () => {
    const { sut, runs, frames } = setup();
    const due = job('r1');
    assert.equal(sut.start(due), 'started', 'returns while the attempt (which never settles here) still runs');
    assert.deepEqual(runs, [{ req: due.request, deadline: due.deadline }]);
    assert.deepEqual(frames, []);
  });

  it('tells the caller its deadline passed instead of starting a late attempt', () => {
    const { sut, runs, frames } = setup();
    assert.equal(sut.start(job('r2', Date.now() - 1)), 'expired');
    assert.deepEqual(runs, []);
    assert.equal(frames.length, 1);
    const [{ inbox, frame }] = frames;
    assert.equal(inbox, '_INBOX.r2');
    assert.ok(frame.type === 'error' && frame.seq === 0);
    assert.equal(frame.error.code, 'upstream_timeout');
    assert.equal(frame.error.retryable, false, 'no time is left for another attempt');
  });

  it('skips a request cancelled while its retry waited, even one another replica scheduled', () => {
    const { sut, runs, frames, settled } = setup();
    sut.noteCancelled('r3');
    assert.equal(sut.start(job('r3')), 'cancelled');
    assert.deepEqual(runs, []);
    assert.deepEqual(frames, [], 'the caller gave up: nothing is sent');
    assert.deepEqual(settled, [{ requestId: 'r3', outcome: 'cancelled', tokens: 0 }], 'its hold is settled at zero now, not at expiry');
    assert.equal(sut.start(job('r4')), 'started', 'other requests are unaffected');
  });

  it('logs an attempt that fails outside its own error handling instead of throwing it at the worker', async () => {
    const { sut } = setup(() => Promise.reject(new Error('boom')));
    assert.equal(sut.start(job('r5')), 'started');
    await new Promise((r) => setImmediate(r)); // an unhandled rejection would fail the test run here
  });
});
