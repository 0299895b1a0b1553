import { strict as assert } from 'node:assert';
import { EventEmitter } from 'node:events';
import type { ServerResponse } from 'node:http';
import { describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { ShutdownDrain, ShuttingDownError } from './shutdown-drain';

/** A response still open, closed by `close()`. */
function openResponse(): ServerResponse & { close(): void } {
  const res = Object.assign(new EventEmitter(), { destroyed: false, writableFinished: false });
  return Object.assign(res, { close: () => void res.emit('close') }) as unknown as ServerResponse & { close(): void };
}

/** A drain past its cut (a grace of 0 with one response in flight), and how to let it finish. */
async function cutDrain(): Promise<{ drain: ShutdownDrain; finish: () => Promise<void> }> {
  const drain = new ShutdownDrain();
  const res = openResponse();
  drain.track(res);
  const early = drain.enter();
  const done = drain.drain(null, 0);
  while (!early.cut.aborted) await sleep(1);
  early.release();
  return {
    drain,
    finish: () => {
      res.close();
      return done;
    },
  };
}

describe('ShutdownDrain', () => {
  it('cuts the calls in flight when the grace is over', async () => {
    const drain = new ShutdownDrain();
    const res = openResponse();
    drain.track(res);
    const lease = drain.enter();
    const done = drain.drain(null, 0);
    assert.equal(lease.cut.aborted, false, 'not before the grace');
    while (!lease.cut.aborted) await sleep(1);
    assert.ok(lease.cut.reason instanceof ShuttingDownError);
    lease.release();
    res.close();
    await done;
  });

  it('cuts a call that enters after the cut at once (regression: it streamed until its socket was closed, with no error and no [DONE])', async () => {
    const { drain, finish } = await cutDrain();
    const late = drain.enter();
    assert.equal(late.cut.aborted, true);
    assert.ok(late.cut.reason instanceof ShuttingDownError);
    late.release();
    await finish();
  });

  it('does not cut a call that enters while the grace still runs', async () => {
    const drain = new ShutdownDrain();
    const res = openResponse();
    drain.track(res);
    const done = drain.drain(null, 60_000);
    const lease = drain.enter();
    assert.equal(lease.cut.aborted, false);
    lease.release();
    res.close();
    await done;
  });
});
