import { strict as assert } from 'node:assert';
import { after, before, describe, it } from 'node:test';
import type { INestApplicationContext } from '@nestjs/common';
import { type InvokeRequest, Streams, Subjects, USAGE_STREAM } from '@tokenflow/contracts';
import type { FrameInbox, NatsBus } from '@tokenflow/messaging';
import { testNamespace, testUrls, waitFor } from '@tokenflow/testing';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { createAdapterApp } from '../src/adapter.app';
import { adapterEnvSchema } from '../src/config';
import { type RetryJob, retryJobId, retryQueueName } from '../src/retry/retry-job';
import { drain, invokeRequest, plannedAttempt, routerStandIn, startMockProvider } from './adapter.testing';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * A retry that never runs still closes its request on the ledger: one zero-cost `cancelled` usage event for the
 * attempt settles the hold now, not at the expiry job.
 */
async function settledAsCancelled(req: InvokeRequest, bus: NatsBus = currentBus!): Promise<void> {
  const events = await waitFor(async () => {
    const all = await bus.durable.readAll(Streams.usage, Subjects.usageRecorded);
    const mine = all.filter((e) => e.payload.requestId === req.requestId);
    return mine.length ? mine : null;
  }, 5_000, 'the cancelled retry settled');
  await sleep(200);
  const all = (await bus.durable.readAll(Streams.usage, Subjects.usageRecorded)).filter((e) => e.payload.requestId === req.requestId);
  assert.equal(new Set(all.map((e) => e.payload.eventId)).size, 1, 'one event id: settled once');
  const ev = events[0].payload;
  assert.deepEqual([ev.outcome, ev.attemptNo, ev.promptTokens, ev.completionTokens], ['cancelled', req.attemptNo, 0, 0]);
}
let currentBus: NatsBus | null = null;

describe('provider-adapter delayed retries (real Redis + NATS, replicas coming and going)', () => {
  const ns = testNamespace('adretry');
  const config = adapterEnvSchema.parse({ NATS_URL: testUrls.nats, TF_NAMESPACE: ns, REDIS_URL: testUrls.redis, LOG_LEVEL: 'error' });
  let bus: NatsBus;
  let mock: { url: string; close(): Promise<void> };
  let redis: Redis;
  let queue: Queue<RetryJob>;
  /** Adapter replicas still running (closed by the tests that stop them, the rest after the suite). */
  const replicas = new Set<INestApplicationContext>();
  const startReplica = async () => {
    const app = await createAdapterApp(config);
    replicas.add(app);
    return app;
  };
  const stopReplica = async (app: INestApplicationContext) => {
    replicas.delete(app);
    await app.close();
  };

  /** A request whose prompt names it, so the mock's log tells whether (and how often) the upstream saw it. */
  function delayed(extra: Partial<InvokeRequest> = {}) {
    const marker = `retry-${Math.random().toString(16).slice(2)}`;
    const made = invokeRequest(bus, plannedAttempt(`${mock.url}/v1`, 'ch-retry', 'sk-mock-retry', 'gpt-4o'), extra);
    made.req.body = { model: 'gpt-4o', messages: [{ role: 'user', content: marker }] };
    return { ...made, marker };
  }
  const send = (req: InvokeRequest, budgetMs = 30_000) => bus.request(Subjects.adapterInvoke, req, { ctx: { deadline: Date.now() + budgetMs } });
  const upstreamSaw = async (marker: string) => {
    const log = (await (await fetch(`${mock.url}/mock/requests`)).json()) as { data: { body: { messages?: { content?: unknown }[] } }[] };
    return log.data.filter((r) => r.body.messages?.[0]?.content === marker).length;
  };
  const job = (req: InvokeRequest) => queue.getJob(retryJobId(req.requestId, req.attemptNo));
  /** Nothing at all arrives on the inbox for `ms`. */
  const silent = async (inbox: FrameInbox, ms: number) => {
    await assert.rejects(inbox.next(ms), 'no frame');
    inbox.close();
  };

  before(async () => {
    mock = await startMockProvider();
    bus = await routerStandIn(ns, new Map([['ch-retry', ['sk-mock-retry']]]));
    currentBus = bus;
    await bus.durable.ensureStream(Streams.usage);
    redis = new Redis(testUrls.redis, { maxRetriesPerRequest: null });
    queue = new Queue<RetryJob>(retryQueueName(ns), { connection: redis });
  });
  after(async () => {
    for (const app of replicas) await app.close();
    await queue.obliterate({ force: true });
    await queue.close();
    redis.disconnect();
    await bus.durable.deleteStream(USAGE_STREAM);
    await bus.close();
    await mock.close();
  });

  it('runs a delayed attempt after its delay on another replica, when the one that scheduled it is gone', async () => {
    const a = await startReplica();
    const { req, inbox, marker } = delayed({ delayMs: 1_000 });
    const sentAt = Date.now();
    assert.deepEqual(await send(req), { accepted: true, scheduled: true });
    const waiting = await job(req);
    assert.equal(await waiting?.getState(), 'delayed');
    assert.ok(!('delayMs' in waiting!.data.request), 'the job holds the request without its delay');
    assert.ok(Math.abs(waiting!.data.deadline - (sentAt + 30_000)) < 1_000, 'and the absolute deadline');
    await stopReplica(a);
    assert.equal(await upstreamSaw(marker), 0, 'nothing ran before the delay');

    await startReplica();
    const frames = await drain(inbox);
    assert.ok(Date.now() - sentAt >= 1_000, 'not before its delay');
    assert.equal(frames.at(-1)!.type, 'end');
    assert.ok(frames.filter((f) => f.type === 'chunk').length >= 3, 'the stream reached the inbox');
    assert.deepEqual(frames.map((f) => f.seq), frames.map((_, i) => i));
    assert.equal(await upstreamSaw(marker), 1);
    await waitFor(async () => (await job(req)) === undefined, 2_000, 'the job removed once run');
  });

  it('schedules an attempt delivered twice once', async () => {
    const { req, inbox, marker } = delayed({ delayMs: 300 });
    assert.deepEqual(await send(req), { accepted: true, scheduled: true });
    assert.deepEqual(await send(req), { accepted: true, scheduled: true });
    assert.equal((await drain(inbox)).at(-1)!.type, 'end');
    await sleep(500);
    assert.equal(await upstreamSaw(marker), 1);
  });

  it('never starts a retry cancelled while it waits: the replica that scheduled it removes it', async () => {
    const { req, inbox, marker } = delayed({ delayMs: 800 });
    assert.deepEqual(await send(req), { accepted: true, scheduled: true });
    assert.ok(await job(req));
    bus.emit(Subjects.adapterCancel, { requestId: req.requestId, reason: 'client_disconnected' }, req.requestId);
    await waitFor(async () => (await job(req)) === undefined, 700, 'the waiting job removed before its delay');
    await silent(inbox, 1_200);
    assert.equal(await upstreamSaw(marker), 0);
    await settledAsCancelled(req);
  });

  it('never starts a cancelled retry whose scheduler is gone: the replica that takes it skips it', async () => {
    for (const app of [...replicas]) await stopReplica(app);
    const a = await startReplica();
    const { req, inbox, marker } = delayed({ delayMs: 2_500 });
    const sentAt = Date.now();
    assert.deepEqual(await send(req), { accepted: true, scheduled: true });
    await stopReplica(a);
    await startReplica();
    bus.emit(Subjects.adapterCancel, { requestId: req.requestId, reason: 'deadline' }, req.requestId);
    await bus.flush();
    await sleep(100);
    assert.ok(Date.now() - sentAt < 2_500, 'the cancel came while the retry waited');
    assert.equal(await (await job(req))?.getState(), 'delayed', 'no live replica knew the job, so it still waits');
    await waitFor(async () => (await job(req)) === undefined, 5_000, 'the job taken when due');
    await silent(inbox, 500);
    assert.equal(await upstreamSaw(marker), 0);
    await settledAsCancelled(req);
  });

  it('answers a retry that comes due after the caller’s deadline with a terminal timeout', async () => {
    const { req, inbox, marker } = delayed({ delayMs: 600 });
    assert.deepEqual(await send(req, 300), { accepted: true, scheduled: true });
    const frames = await drain(inbox, 3_000);
    assert.equal(frames.length, 1);
    const [f] = frames;
    assert.ok(f.type === 'error' && f.error.code === 'upstream_timeout' && f.error.retryable === false, JSON.stringify(f));
    assert.equal(await upstreamSaw(marker), 0);
  });

  it('never touches Redis for an immediate invoke', async () => {
    const monitor = await redis.monitor();
    const commands: string[] = [];
    monitor.on('monitor', (_time: string, args: string[]) => void commands.push(args.join(' ')));
    try {
      const now = delayed();
      assert.deepEqual(await send(now.req), { accepted: true });
      assert.equal((await drain(now.inbox)).at(-1)!.type, 'end');
      const later = delayed({ delayMs: 200 });
      await send(later.req);
      assert.equal((await drain(later.inbox)).at(-1)!.type, 'end');
      await sleep(100);
      assert.ok(commands.some((c) => c.includes(later.req.requestId)), 'the monitor sees the delayed one');
      assert.ok(!commands.some((c) => c.includes(now.req.requestId)), 'and nothing of the immediate one');
    } finally {
      monitor.disconnect();
    }
  });
});
