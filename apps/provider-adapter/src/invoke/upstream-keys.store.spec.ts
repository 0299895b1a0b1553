import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { type PlannedAttempt, TfError, upstreamKeyFingerprint } from '@tokenflow/contracts';
import type { NatsBus } from '@tokenflow/messaging';
import { UpstreamKeysStore } from './upstream-keys.store';

/** The store over a stand-in for the router: each fetch gets the keys it held when asked, once the test answers. */
function setup(initial: Record<string, string[]>) {
  const router = new Map(Object.entries(initial));
  const pending: { channelId: string; answer: () => void }[] = [];
  const bus = {
    request: (_subject: string, req: { channelId: string }) =>
      new Promise((resolve) => {
        const keys = (router.get(req.channelId) ?? []).map((apiKey) => ({ ref: upstreamKeyFingerprint(apiKey), apiKey }));
        pending.push({ channelId: req.channelId, answer: () => resolve({ keys }) });
      }),
  } as unknown as NatsBus;
  const sut = new UpstreamKeysStore(bus);
  const answerAll = async () => {
    await new Promise((r) => setImmediate(r));
    for (const p of pending.splice(0)) p.answer();
  };
  return { sut, router, pending, answerAll };
}

const attempt = (channelId: string, apiKey: string): PlannedAttempt => ({
  channelId,
  channelName: channelId,
  provider: 'openai',
  baseUrl: '',
  keyRef: upstreamKeyFingerprint(apiKey),
  upstreamModel: 'gpt-4o',
  timeouts: { connectMs: 1, firstByteMs: 1, idleMs: 1 },
});

const later = () => Date.now() + 5_000;

describe('UpstreamKeysStore', () => {
  it('fetches a channel once for a burst of attempts, then answers from memory', async () => {
    const { sut, pending, answerAll } = setup({ c1: ['sk-a', 'sk-b'] });
    const burst = Promise.all([sut.resolve(attempt('c1', 'sk-a'), later()), sut.resolve(attempt('c1', 'sk-b'), later()), sut.resolve(attempt('c1', 'sk-a'), later())]);
    await new Promise((r) => setImmediate(r));
    assert.equal(pending.length, 1);
    await answerAll();
    assert.deepEqual((await burst).map((a) => a.apiKey), ['sk-a', 'sk-b', 'sk-a']);
    assert.equal((await sut.resolve(attempt('c1', 'sk-b'), later())).apiKey, 'sk-b');
    assert.equal(pending.length, 0, 'no fetch for a cached channel');
  });

  it('keeps the plan fields and adds only the key', async () => {
    const { sut, answerAll } = setup({ c1: ['sk-a'] });
    const resolving = sut.resolve(attempt('c1', 'sk-a'), later());
    await answerAll();
    assert.deepEqual(await resolving, { ...attempt('c1', 'sk-a'), apiKey: 'sk-a' });
  });

  it('does not cache an answer that may predate a change broadcast', async () => {
    const { sut, router, pending, answerAll } = setup({ c1: ['sk-old'] });
    const first = sut.resolve(attempt('c1', 'sk-old'), later());
    await new Promise((r) => setImmediate(r)); // asked (and answered with the old keys, once released)
    router.set('c1', ['sk-new']);
    sut.forget('c1'); // the change arrives while that answer is still on its way
    pending.splice(0)[0].answer();
    assert.equal((await first).apiKey, 'sk-old', 'used for the attempt that asked');
    const again = sut.resolve(attempt('c1', 'sk-old'), later());
    await new Promise((r) => setImmediate(r));
    assert.equal(pending.length, 1, 'fetched again, not served from an entry the change made stale');
    await answerAll();
    await assert.rejects(again, (e: unknown) => e instanceof TfError && e.code === 'upstream_error');
    const next = sut.resolve(attempt('c1', 'sk-new'), later());
    assert.equal((await next).apiKey, 'sk-new', 'the fresh answer was cached');
  });

  it('fails an attempt whose key the channel no longer has as retryable, after one more fetch', async () => {
    const { sut, router, pending, answerAll } = setup({ c1: ['sk-a'] });
    const warm = sut.resolve(attempt('c1', 'sk-a'), later());
    await answerAll();
    await warm;
    router.set('c1', ['sk-b']);
    sut.forget('c1');
    const gone = sut.resolve(attempt('c1', 'sk-a'), later());
    await answerAll();
    await assert.rejects(gone, (e: unknown) => e instanceof TfError && e.code === 'upstream_error' && e.retryable && !e.message.includes('sk-'));
    assert.equal(pending.length, 0, 'one fetch: the answer was fresh');
    // An unknown reference for a cached channel (a plan newer than this replica's entry): one more fetch, then no.
    const unknown = sut.resolve(attempt('c1', 'sk-c'), later());
    await answerAll();
    await assert.rejects(unknown, (e: unknown) => e instanceof TfError && e.code === 'upstream_error');
    assert.equal(pending.length, 0);
    // A deleted channel: the router knows no keys for it.
    const deleted = sut.resolve(attempt('c9', 'sk-z'), later());
    await answerAll();
    await assert.rejects(deleted, (e: unknown) => e instanceof TfError && e.code === 'upstream_error');
  });

  it('forgets every channel on a change without an id', async () => {
    const { sut, pending, answerAll } = setup({ c1: ['sk-a'], c2: ['sk-b'] });
    const warm = Promise.all([sut.resolve(attempt('c1', 'sk-a'), later()), sut.resolve(attempt('c2', 'sk-b'), later())]);
    await answerAll();
    await warm;
    sut.forget();
    const again = Promise.all([sut.resolve(attempt('c1', 'sk-a'), later()), sut.resolve(attempt('c2', 'sk-b'), later())]);
    await new Promise((r) => setImmediate(r));
    assert.deepEqual(pending.map((p) => p.channelId).sort(), ['c1', 'c2']);
    await answerAll();
    await again;
  });
});
