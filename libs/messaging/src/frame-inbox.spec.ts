import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import type { NatsConnection } from '@nats-io/transport-node';
import { TfError, type WireStreamFrame } from '@tokenflow/contracts';
import { encode } from './codec';
import { FrameInbox, InboxOverflowError, StreamGapError } from './frame-inbox';

/** A connection whose one subscription the test feeds by hand, as the NATS client would from its socket. */
function fakeConnection() {
  const state = { deliver: (_f: WireStreamFrame) => undefined as void, unsubscribed: false };
  const nc = {
    subscribe: (_subject: string, opts: { callback: (err: Error | null, msg: { data: Uint8Array }) => void }) => {
      state.deliver = (f) => opts.callback(null, { data: encode(f) });
      return { unsubscribe: () => void (state.unsubscribed = true) };
    },
  };
  return { nc: nc as unknown as NatsConnection, state };
}

const chunk = (seq: number): WireStreamFrame => ({ type: 'chunk', seq, data: { n: seq } });

describe('FrameInbox', () => {
  it('hands out frames in sequence, batches numbered chunk by chunk', async () => {
    const { nc, state } = fakeConnection();
    const inbox = new FrameInbox(nc);
    state.deliver(chunk(0));
    state.deliver({ type: 'chunks', seq: 1, data: [{ n: 1 }, { n: 2 }] });
    state.deliver({ type: 'end', seq: 3, usage: null, usageSource: 'upstream' });
    const seqs = [];
    for (let i = 0; i < 4; i++) seqs.push((await inbox.next(100)).seq);
    assert.deepEqual(seqs, [0, 1, 2, 3]);
  });

  it('fails on a gap (queued or awaited), tells onFault once, and never hands out a frame after it', async () => {
    for (const awaited of [false, true]) {
      const { nc, state } = fakeConnection();
      const faults: TfError[] = [];
      const inbox = new FrameInbox(nc, { onFault: (e) => faults.push(e) });
      state.deliver(chunk(0));
      assert.equal((await inbox.next(100)).seq, 0);
      const pending = awaited ? inbox.next(1_000) : null;
      state.deliver(chunk(2)); // frame 1 was lost
      state.deliver({ type: 'end', seq: 3, usage: null, usageSource: 'upstream' });
      const gap = (e: unknown) => e instanceof StreamGapError && e.expected === 1 && e.got === 2 && e.code === 'upstream_error';
      await assert.rejects(pending ?? inbox.next(100), gap);
      await assert.rejects(inbox.next(100), gap, 'later calls fail the same way: no end after a gap');
      assert.equal(faults.length, 1);
      assert.ok(inbox.failure.aborted && gap(inbox.failure.reason));
      assert.ok(state.unsubscribed, 'nothing more is received');
    }
  });

  it('a gap inside the sequence of batches counts every chunk', async () => {
    const { nc, state } = fakeConnection();
    const inbox = new FrameInbox(nc);
    state.deliver({ type: 'chunks', seq: 0, data: [{}, {}, {}] });
    state.deliver(chunk(4)); // 3 missing
    for (let i = 0; i < 3; i++) await inbox.next(100);
    await assert.rejects(inbox.next(100), (e: unknown) => e instanceof StreamGapError && e.expected === 3);
  });

  it('bounds what waits for a consumer that does not read: past maxFrames or maxBytes it fails and drops the queue', () => {
    for (const limits of [{ maxFrames: 10, maxBytes: 1_000_000 }, { maxFrames: 1_000, maxBytes: 500 }]) {
      const { nc, state } = fakeConnection();
      const faults: TfError[] = [];
      const inbox = new FrameInbox(nc, { limits, onFault: (e) => faults.push(e) });
      let sent = 0;
      while (!inbox.failure.aborted && sent < 10_000) state.deliver(chunk(sent++));
      assert.ok(inbox.failure.aborted, 'failed');
      assert.ok(inbox.failure.reason instanceof InboxOverflowError);
      assert.ok(sent <= limits.maxFrames + 1, `${sent} frames sent before the cut`);
      assert.deepEqual(inbox.backlog, { frames: 0, bytes: 0 }, 'what was queued is released');
      assert.equal(faults.length, 1);
      // Nothing is kept after the cut.
      for (let i = 0; i < 100; i++) state.deliver(chunk(sent++));
      assert.deepEqual(inbox.backlog, { frames: 0, bytes: 0 });
    }
  });

  it('fail() from outside rejects a waiting consumer with that error, and close() after it is harmless', async () => {
    const { nc } = fakeConnection();
    const faults: TfError[] = [];
    const inbox = new FrameInbox(nc, { onFault: (e) => faults.push(e) });
    const waiting = inbox.next(5_000);
    const err = new TfError('service_unavailable', 'shutting down');
    inbox.fail(err);
    await assert.rejects(waiting, (e) => e === err);
    inbox.fail(new TfError('internal_error', 'again'));
    inbox.close();
    assert.deepEqual(faults, [err]);
  });

  it('close() without a failure tells no fault', async () => {
    const { nc } = fakeConnection();
    let faults = 0;
    const inbox = new FrameInbox(nc, { onFault: () => faults++ });
    const waiting = inbox.next(5_000);
    inbox.close();
    await assert.rejects(waiting, (e: unknown) => e instanceof TfError && e.code === 'internal_error');
    assert.equal(faults, 0);
    assert.equal(inbox.failure.aborted, false);
  });
});
