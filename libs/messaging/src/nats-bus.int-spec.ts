import { strict as assert } from 'node:assert';
import { after, before, describe, it } from 'node:test';
import { jetstreamManager } from '@nats-io/jetstream';
import {
  type ConsumerDeclaration,
  DurableConsumers,
  type DurableSubject,
  type StreamDeclaration,
  Streams,
  Subjects,
  TfError,
  type UsageRecordedEvent,
} from '@tokenflow/contracts';
import { testNamespace, testUrls, waitFor } from '@tokenflow/testing';
import { type DeliveredEvent, StreamMissingError } from './durable-streams';
import { NatsBus } from './nats-bus';

/** A stream of the tests' own, declared like the real ones. */
const testStream = (name: string, subjects: DurableSubject[]): StreamDeclaration => ({ ...Streams.usage, name, subjects });
const testConsumer = (stream: StreamDeclaration, durable: string, filterSubject?: DurableSubject): ConsumerDeclaration => ({
  ...DurableConsumers.billingSettlement,
  stream,
  durable,
  filterSubject,
});

describe('NatsBus against the real NATS server', () => {
  const ns = testNamespace('bus');
  let server: NatsBus;
  let client: NatsBus;

  before(async () => {
    server = await NatsBus.connect({ url: testUrls.nats, name: 'bus-server', namespace: ns });
    client = await NatsBus.connect({ url: testUrls.nats, name: 'bus-client', namespace: ns });
  });
  after(async () => {
    await server.durable.deleteStream(Streams.usage.name);
    await client.close();
    await server.close();
  });

  it('does typed request/reply and carries request id and traceparent in headers', async () => {
    let seen: { requestId?: string; traceparent?: string } = {};
    server.serve(Subjects.billingAuth, (req, ctx) => {
      seen = ctx;
      return { principal: req.keyHash === 'known' ? { keyId: 'k', accountId: 'a', name: null, models: null, limits: { rpm: null, tpm: null, maxConcurrency: null, models: null }, accountLimits: null, expiresAt: null, budget: null, fallbacks: null } : null };
    });
    await server.flush();
    const tp = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';
    const res = await client.request(Subjects.billingAuth, { keyHash: 'known' }, { ctx: { requestId: 'req_1', traceparent: tp } });
    assert.equal(res.principal?.keyId, 'k');
    assert.deepEqual(seen, { requestId: 'req_1', traceparent: tp });
  });

  it('turns a thrown TfError into the same error on the caller, and hides other errors', async () => {
    server.serve(Subjects.billingHold, (req) => {
      if (req.accountId === 'broke') throw new TfError('insufficient_quota', 'no money', { retryAfterMs: 5 });
      throw new Error('secret internal detail');
    });
    await server.flush();
    await assert.rejects(client.request(Subjects.billingHold, { requestId: 'r', accountId: 'broke', keyId: 'k', model: 'm', promptTokens: 1, maxOutputTokens: 1, keyBudget: null }), (err: unknown) => {
      assert.ok(err instanceof TfError);
      assert.equal(err.code, 'insufficient_quota');
      assert.equal(err.status, 429);
      assert.equal(err.retryAfterMs, 5);
      return true;
    });
    await assert.rejects(client.request(Subjects.billingHold, { requestId: 'r', accountId: 'x', keyId: 'k', model: 'm', promptTokens: 1, maxOutputTokens: 1, keyBudget: null }), (err: unknown) => {
      assert.ok(err instanceof TfError);
      assert.equal(err.code, 'internal_error');
      assert.ok(!err.message.includes('secret'));
      return true;
    });
  });

  it('answers 503 service_unavailable when nobody serves a subject', async () => {
    await assert.rejects(client.request(Subjects.routerPlan, { requestId: 'r', model: 'm', allowedModels: null }), (err: unknown) => {
      assert.ok(err instanceof TfError);
      assert.equal(err.code, 'service_unavailable');
      assert.match(err.message, /router service/);
      return true;
    });
  });

  it('isolates namespaces: a server in another namespace does not answer', async () => {
    const other = await NatsBus.connect({ url: testUrls.nats, name: 'other', namespace: testNamespace('other') });
    other.serve(Subjects.ratelimitAcquire, () => ({ requests: null, tokens: null }));
    await other.flush();
    await assert.rejects(client.request(Subjects.ratelimitAcquire, { requestId: 'r', accountId: 'a', keyId: 'k', model: 'm', estimatedTokens: 1, key: null, account: null }), TfError);
    await other.close();
  });

  it('streams frames to an inbox in order and times out a silent producer', async () => {
    const inbox = client.openInbox();
    // The producer is another connection here: make sure the server has our subscription before it publishes.
    await client.flush();
    for (let i = 0; i < 50; i++) server.sendFrame(inbox.subject, { type: 'chunk', seq: i, data: { i } });
    server.sendFrame(inbox.subject, { type: 'end', seq: 50, usage: null, usageSource: 'upstream' });
    const seqs: number[] = [];
    for (;;) {
      const f = await inbox.next(2_000);
      seqs.push(f.seq);
      if (f.type === 'end') break;
    }
    assert.deepEqual(seqs, Array.from({ length: 51 }, (_, i) => i));
    const started = Date.now();
    await assert.rejects(inbox.next(150), (err: unknown) => err instanceof TfError && err.code === 'upstream_timeout');
    assert.ok(Date.now() - started >= 140);
    inbox.close();
  });

  it('hands out a batch as its chunks, numbered in order, and folds a 20k-frame backlog in slices', async () => {
    const inbox = client.openInbox();
    await client.flush();
    server.sendFrame(inbox.subject, { type: 'chunks', seq: 0, data: [{ n: 0 }, { n: 1 }, { n: 2 }] });
    server.sendFrame(inbox.subject, { type: 'end', seq: 3, usage: null, usageSource: 'estimated' });
    const got = [await inbox.next(1_000), await inbox.next(1_000), await inbox.next(1_000), await inbox.next(1_000)];
    assert.deepEqual(got.map((f) => [f.type, f.seq]), [['chunk', 0], ['chunk', 1], ['chunk', 2], ['end', 3]]);
    assert.deepEqual(got.slice(0, 3).map((f) => (f.type === 'chunk' ? f.data.n : null)), [0, 1, 2]);
    inbox.close();

    // A backlog already received is not folded in one block: other work runs between slices.
    const backlog = client.openInbox();
    await client.flush();
    for (let i = 0; i < 20_000; i++) server.sendFrame(backlog.subject, { type: 'chunk', seq: i, data: { i } });
    await server.flush();
    await client.flush();
    // The backlog must be here in full before reading starts (that is the case under test); the client's socket
    // hands it over in reads after the flush, with no event to wait for.
    await new Promise((r) => setTimeout(r, 300));
    let turns = 0;
    const ticker = setInterval(() => turns++, 0);
    for (let i = 0; i < 20_000; i++) assert.equal((await backlog.next(1_000)).seq, i);
    clearInterval(ticker);
    backlog.close();
    assert.ok(turns > 5, `timers ran ${turns} times while 20k frames were folded`);
  });

  it('broadcasts events (with a suffix family) to every subscriber', async () => {
    const got: string[] = [];
    server.on(Subjects.adapterCancel, (ev) => void got.push(`a:${ev.requestId}`), { wildcard: true });
    client.on(Subjects.adapterCancel, (ev) => void got.push(`b:${ev.requestId}`), { wildcard: true });
    await Promise.all([server.flush(), client.flush()]);
    client.emit(Subjects.adapterCancel, { requestId: 'req_9', reason: 'client_disconnected' }, 'req_9');
    await waitFor(() => got.length === 2, 2_000, 'both subscribers');
    assert.deepEqual(got.sort(), ['a:req_9', 'b:req_9']);
  });

  it('delivers durable events at least once: a failed batch comes back, a duplicate msgId is dropped', async () => {
    await server.durable.ensureStream(Streams.usage);
    const event = (id: string) => ({ eventId: id, requestId: id }) as UsageRecordedEvent;
    await client.publishDurable(Subjects.usageRecorded, event('e1'), 'e1');
    await client.publishDurable(Subjects.usageRecorded, event('e1'), 'e1');
    await client.publishDurable(Subjects.usageRecorded, event('e2'), 'e2');
    const info = await (await jetstreamManager(client.nc)).streams.info(client.durable.streamName(Streams.usage.name));
    assert.equal(info.state.messages, 2, 'the re-published msgId was deduplicated by the server');
    const handled = new Set<string>();
    let failedBatch: string[] | null = null;
    await server.durable.consumeBatches(testConsumer(Streams.usage, 'test', Subjects.usageRecorded), async (batch) => {
      if (!failedBatch) {
        failedBatch = batch.map((e) => requestIdOf(e));
        throw new Error('database down');
      }
      for (const e of batch) handled.add(requestIdOf(e));
    });
    // At-least-once: every event, including those of the failed batch, is eventually handled.
    await waitFor(() => handled.has('e1') && handled.has('e2'), 10_000, 'redelivered batch');
    assert.ok(failedBatch!.length >= 1);
  });

  it("brings an existing stream to its owner's declaration", async () => {
    // A namespace of its own: a subject belongs to one stream only, and TF_USAGE takes these in the suite's.
    const owner = await NatsBus.connect({ url: testUrls.nats, name: 'declared', namespace: testNamespace('declared') });
    try {
      const older = testStream('TF_DECLARED', [Subjects.usageRecorded]);
      const current = { ...testStream('TF_DECLARED', [Subjects.usageRecorded, Subjects.billingHoldRelease]), maxAgeMs: 3_600_000 };
      await owner.durable.ensureStream(older);
      await owner.durable.ensureStream(current);
      await owner.durable.ensureStream(current);
      const info = await (await jetstreamManager(owner.nc)).streams.info(owner.durable.streamName('TF_DECLARED'));
      assert.deepEqual([...info.config.subjects].sort(), [owner.subject(Subjects.billingHoldRelease), owner.subject(Subjects.usageRecorded)].sort());
      assert.equal(info.config.max_age, 3_600_000 * 1_000_000);
    } finally {
      await owner.durable.deleteStream('TF_DECLARED');
      await owner.close();
    }
  });

  it('refuses a publish before the owner created the stream, naming the owner; a consumer waits for the stream', async () => {
    const ns2 = testNamespace('owner');
    const owner = await NatsBus.connect({ url: testUrls.nats, name: 'owner-like', namespace: ns2 });
    const other = await NatsBus.connect({ url: testUrls.nats, name: 'publisher-like', namespace: ns2 });
    const idle = await NatsBus.connect({ url: testUrls.nats, name: 'never-served', namespace: ns2 });
    try {
      const event = { eventId: 'early', requestId: 'early' } as UsageRecordedEvent;
      await assert.rejects(other.publishDurable(Subjects.usageRecorded, event, 'early'), (err: unknown) => {
        assert.ok(err instanceof StreamMissingError);
        assert.match(err.message, /stream TF_USAGE is created by billing/);
        return true;
      });
      const seen: string[] = [];
      const consuming = other.durable.consumeBatches(testConsumer(Streams.usage, 'late', Subjects.usageRecorded), async (batch) => {
        for (const e of batch) seen.push(requestIdOf(e));
      });
      // A consumer that never gets its stream stops waiting when its bus closes.
      const waiting = idle.durable.consumeBatches(testConsumer(testStream('TF_NEVER', [Subjects.usageRecorded]), 'idle'), async () => undefined);
      await owner.durable.ensureStream(Streams.usage);
      await consuming;
      await owner.publishDurable(Subjects.usageRecorded, { ...event, eventId: 'after', requestId: 'after' }, 'after');
      await waitFor(() => seen.includes('after'), 10_000, 'event published after the stream was created');
      await idle.close();
      await waiting;
    } finally {
      await owner.durable.deleteStream(Streams.usage.name);
      await Promise.all([owner.close(), other.close(), idle.close()]);
    }
  });

  it('keeps settling good events when one event in their batch always fails', async () => {
    const bus = await NatsBus.connect({ url: testUrls.nats, name: 'poison', namespace: testNamespace('poison') });
    const poison = testStream('TF_POISON', [Subjects.billingHoldRelease]);
    try {
      await bus.durable.ensureStream(poison);
      for (const id of ['good-1', 'poison', 'good-2']) {
        await bus.publishDurable(Subjects.billingHoldRelease, { requestId: id, accountId: 'a', keyId: 'k' }, id);
      }
      const handled = new Set<string>();
      let poisonTries = 0;
      await bus.durable.consumeBatches(testConsumer(poison, 'poison-test'), async (batch) => {
        if (batch.some((e) => requestIdOf(e) === 'poison')) {
          poisonTries++;
          throw new Error('cannot settle this one');
        }
        for (const e of batch) handled.add(requestIdOf(e));
      });
      await waitFor(() => handled.has('good-1') && handled.has('good-2'), 10_000, 'good events settled past the poison one');
      assert.ok(!handled.has('poison'));
      assert.ok(poisonTries >= 2, 'the failing event is retried on its own');
    } finally {
      await bus.durable.deleteStream(poison.name);
      await bus.close();
    }
  });
});

/** These tests publish only events that carry a request id. */
function requestIdOf(e: DeliveredEvent): string {
  return 'requestId' in e.payload ? e.payload.requestId : '';
}
