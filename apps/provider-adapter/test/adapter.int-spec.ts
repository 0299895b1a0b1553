import { strict as assert } from 'node:assert';
import { after, before, describe, it } from 'node:test';
import type { INestApplicationContext } from '@nestjs/common';
import { DurableConsumers, mockBasePath, type PlannedAttempt, type StreamFrame, Streams, Subjects, TfError, upstreamKeyFingerprint, USAGE_STREAM, type UsageRecordedEvent } from '@tokenflow/contracts';
import { type FrameInbox, NatsBus } from '@tokenflow/messaging';
import { estimatePromptTokens } from '@tokenflow/openai';
import { freePort, testNamespace, testUrls, waitFor } from '@tokenflow/testing';
import { createAdapterApp } from '../src/adapter.app';
import { adapterEnvSchema } from '../src/config';
import { CancellationRegistry } from '../src/invoke/cancellation.registry';
import { startMockProvider } from './adapter.testing';

describe('provider-adapter (real NATS + JetStream, mock upstream over HTTP)', () => {
  const ns = testNamespace('adapter');
  let app: INestApplicationContext;
  let bus: NatsBus;
  let mock: { url: string; close(): Promise<void> };
  const usage: UsageRecordedEvent[] = [];
  /** What the router would answer on `tf.router.channel-keys.v1`, per channel; and which channels were asked for. */
  const channelKeys = new Map([['ch-1', ['sk-mock-adapter']]]);
  const keyFetches: string[] = [];

  /** The plan carries the key by reference only; the adapter resolves it from the router (played by this test). */
  const attempt = (upstreamModel: string, t: Partial<PlannedAttempt['timeouts']> = {}): PlannedAttempt => ({
    channelId: 'ch-1',
    channelName: 'mock',
    provider: 'openai-compatible',
    baseUrl: `${mock.url}/v1`,
    keyRef: upstreamKeyFingerprint('sk-mock-adapter'),
    upstreamModel,
    timeouts: { connectMs: 1_000, firstByteMs: 2_000, idleMs: 2_000, ...t },
  });

  async function invoke(
    upstreamModel: string,
    opts: {
      t?: Partial<PlannedAttempt['timeouts']>;
      requestId?: string;
      body?: Record<string, unknown>;
      limits?: PlannedAttempt['upstreamLimits'];
      baseUrl?: string;
      key?: Pick<PlannedAttempt, 'channelId' | 'keyRef'>;
      provider?: PlannedAttempt['provider'];
      endpoint?: 'chat' | 'completions';
    } = {},
  ) {
    const inbox = bus.openInbox();
    const requestId = opts.requestId ?? `req_${Math.random().toString(16).slice(2)}`;
    const body = opts.body ?? { model: 'gpt-4o', messages: [{ role: 'user', content: 'hello adapter' }] };
    await bus.request(Subjects.adapterInvoke, {
      requestId,
      attemptNo: 1,
      attempt: {
        ...attempt(upstreamModel, opts.t),
        ...(opts.limits ? { upstreamLimits: opts.limits } : {}),
        ...(opts.baseUrl ? { baseUrl: opts.baseUrl } : {}),
        ...(opts.provider ? { provider: opts.provider } : {}),
        ...opts.key,
      },
      ...(opts.endpoint ? { endpoint: opts.endpoint } : {}),
      body,
      size: { promptTokens: estimatePromptTokens(body), promptReserve: estimatePromptTokens(body), outputTokens: Number(body.max_tokens ?? 0) * Number(body.n ?? 1) },
      inbox: inbox.subject,
      accountId: '00000000-0000-4000-8000-000000000001',
      keyId: '00000000-0000-4000-8000-000000000002',
      model: 'gpt-4o',
      price: { inputNanoPerToken: '2500', outputNanoPerToken: '10000' },
    }, { ctx: { deadline: Date.now() + 30_000 } });
    return { inbox, requestId };
  }

  async function drain(inbox: FrameInbox): Promise<StreamFrame[]> {
    const frames: StreamFrame[] = [];
    for (;;) {
      const f = await inbox.next(10_000);
      frames.push(f);
      if (f.type !== 'chunk') break;
    }
    inbox.close();
    return frames;
  }

  before(async () => {
    mock = await startMockProvider();
    app = await createAdapterApp(adapterEnvSchema.parse({ NATS_URL: testUrls.nats, TF_NAMESPACE: ns }));
    bus = await NatsBus.connect({ url: testUrls.nats, name: 'adapter-test', namespace: ns });
    bus.serve(Subjects.routerChannelKeys, (req) => {
      keyFetches.push(req.channelId);
      return { keys: (channelKeys.get(req.channelId) ?? []).map((apiKey) => ({ ref: upstreamKeyFingerprint(apiKey), apiKey })) };
    });
    await bus.flush();
    // Billing's part: it owns the usage stream. The adapter only publishes to it.
    await bus.durable.ensureStream(Streams.usage);
    await bus.durable.consumeBatches({ ...DurableConsumers.ratelimitTpm, durable: 'test' }, async (batch) => {
      for (const e of batch) if (e.subject === Subjects.usageRecorded) usage.push(e.payload);
    });
  });
  after(async () => {
    await bus.close();
    await app.close();
    const cleanup = await NatsBus.connect({ url: testUrls.nats, name: 'cleanup', namespace: ns });
    await cleanup.durable.deleteStream(USAGE_STREAM);
    await cleanup.close();
    await mock.close();
  });

  it('streams chunks with our model id, ends with upstream usage, and publishes one usage event', async () => {
    const { inbox, requestId } = await invoke('gpt-4o');
    const frames = await drain(inbox);
    const end = frames[frames.length - 1];
    assert.equal(end.type, 'end');
    assert.deepEqual(frames.map((f) => f.seq), frames.map((_, i) => i));
    const chunks = frames.filter((f) => f.type === 'chunk');
    assert.ok(chunks.length >= 3);
    assert.ok(chunks.every((c) => c.type === 'chunk' && c.data.model === 'gpt-4o' && !('usage' in c.data)));
    assert.ok(end.type === 'end' && end.usageSource === 'upstream' && end.usage!.completion_tokens > 0);
    const ev = await waitFor(() => usage.find((u) => u.requestId === requestId), 10_000, 'usage event');
    assert.equal(ev.eventId, `${requestId}:1`);
    assert.equal(ev.outcome, 'ok');
    assert.deepEqual([ev.inputNanoPerToken, ev.outputNanoPerToken], ['2500', '10000'], 'the quoted price travels with the usage');
    assert.equal(ev.completionTokens, end.type === 'end' ? end.usage!.completion_tokens : -1);
  });

  it('keeps an upstream key under its quota: a saturated key fails the attempt as retryable before calling it', async () => {
    const limits = { ref: 'ch-1:abcd', rpm: 1, tpm: null };
    // No limiter answering: the upstream is called unmetered rather than refused.
    const open = await drain((await invoke('gpt-4o', { limits })).inbox);
    assert.equal(open.pop()!.type, 'end');
    const settled: { requestId: string; actualTokens: number }[] = [];
    let allow = true;
    bus.serve(Subjects.ratelimitUpstreamAcquire, () => {
      if (allow) return { granted: true as const };
      throw new TfError('rate_limit_exceeded', 'Upstream capacity for gpt-4o is exhausted. Try again in 30.0s.', { retryAfterMs: 30_000, retryable: true });
    });
    bus.on(Subjects.ratelimitUpstreamSettle, (ev) => void settled.push(ev));
    await bus.flush();
    const granted = await invoke('gpt-4o', { limits });
    const end = (await drain(granted.inbox)).pop()!;
    assert.equal(end.type, 'end');
    const ev = await waitFor(() => settled.find((s) => s.requestId === granted.requestId), 5_000, 'settle');
    assert.equal(ev.actualTokens, end.type === 'end' ? end.usage!.prompt_tokens + end.usage!.completion_tokens : -1, 'the real tokens replace the estimate');
    // Nothing left this machine (connection refused): the whole estimate goes back.
    const refused = await invoke('gpt-4o', { limits, baseUrl: `http://127.0.0.1:${await freePort()}/v1` });
    assert.equal((await drain(refused.inbox)).pop()!.type, 'error');
    assert.equal((await waitFor(() => settled.find((s) => s.requestId === refused.requestId), 5_000, 'refund')).actualTokens, -1);
    // Sent, never answered: the provider may have counted it, so the estimate stands (no settle).
    const silent = await invoke('gpt-4o+fail=timeout', { limits, t: { firstByteMs: 300 } });
    assert.equal((await drain(silent.inbox)).pop()!.type, 'error');
    await new Promise((r) => setTimeout(r, 200)); // an absence: a settle would follow the error frame within milliseconds
    assert.ok(!settled.some((s) => s.requestId === silent.requestId), 'the estimate of a request the upstream may have seen is kept');
    allow = false;
    const logged = async () => ((await (await fetch(`${mock.url}/mock/requests`)).json()) as { data: unknown[] }).data.length;
    const before = await logged();
    const denied = await invoke('gpt-4o', { limits });
    const frames = await drain(denied.inbox);
    assert.equal(frames.length, 1);
    const err = frames[0];
    assert.ok(err.type === 'error' && err.error.code === 'rate_limit_exceeded' && err.error.retryable === true, JSON.stringify(err));
    assert.equal(await logged(), before, 'the saturated key was not called');
    await new Promise((r) => setTimeout(r, 200)); // a settle would follow the error frame within milliseconds
    assert.ok(!settled.some((s) => s.requestId === denied.requestId), 'a denial took nothing, so there is nothing to settle');
  });

  it('counts tokens locally when the upstream sends no usage', async () => {
    const { inbox, requestId } = await invoke('gpt-4o+usage=none');
    const end = (await drain(inbox)).pop()!;
    assert.ok(end.type === 'end' && end.usageSource === 'estimated' && end.usage!.completion_tokens > 0 && end.usage!.prompt_tokens > 0);
    const ev = await waitFor(() => usage.find((u) => u.requestId === requestId), 10_000, 'usage event');
    assert.equal(ev.usageSource, 'estimated');
  });

  it('maps upstream failures to retryable errors and never leaks credentials', async () => {
    for (const [model, code] of [
      ['gpt-4o+fail=500', 'upstream_error'],
      ['gpt-4o+fail=429+retry-after=2', 'rate_limit_exceeded'],
    ]) {
      const frames = await drain((await invoke(model)).inbox);
      assert.equal(frames.length, 1);
      const f = frames[0];
      assert.ok(f.type === 'error');
      assert.equal(f.error.code, code);
      assert.equal(f.error.retryable, true);
      assert.ok(!JSON.stringify(f).includes('sk-mock'));
      if (code === 'rate_limit_exceeded') assert.equal(f.error.retryAfterMs, 2_000);
    }
  });

  it('times out a silent upstream (first byte) and a stalled stream (idle)', async () => {
    let started = Date.now();
    let frames = await drain((await invoke('gpt-4o+fail=timeout', { t: { firstByteMs: 300 } })).inbox);
    assert.ok(frames[0].type === 'error' && frames[0].error.code === 'upstream_timeout');
    assert.ok(Date.now() - started < 1_500, `${Date.now() - started} ms`);
    started = Date.now();
    frames = await drain((await invoke('gpt-4o+chunk-delay=3000+stall-at=2', { t: { idleMs: 300 } })).inbox);
    const last = frames[frames.length - 1];
    assert.ok(frames.length > 1, 'some chunks arrived before the stall');
    assert.ok(last.type === 'error' && last.error.code === 'upstream_timeout' && !last.error.retryable);
    assert.ok(Date.now() - started < 1_500, `${Date.now() - started} ms`);
  });

  it('reports a stream cut short or garbled as an error, never as a normal end', async () => {
    for (const model of ['gpt-4o+fail=disconnect+fail-after=2', 'gpt-4o+fail=malformed+fail-after=2']) {
      const frames = await drain((await invoke(model)).inbox);
      const last = frames[frames.length - 1];
      assert.ok(last.type === 'error' && last.error.code === 'upstream_error', `${model}: ${JSON.stringify(last)}`);
    }
  });

  it('aborts the upstream call on a cancel broadcast and bills what was generated', async () => {
    const { inbox, requestId } = await invoke('gpt-4o+tokens=500+tps=50');
    for (let i = 0; i < 5; i++) assert.equal((await inbox.next(5_000)).type, 'chunk');
    await waitFor(() => app.get(CancellationRegistry).size > 0, 2_000, 'call registered');
    bus.emit(Subjects.adapterCancel, { requestId, reason: 'client_disconnected' }, requestId);
    const ev = await waitFor(() => usage.find((u) => u.requestId === requestId), 10_000, 'usage event');
    inbox.close();
    assert.equal(ev.outcome, 'cancelled');
    assert.ok(ev.completionTokens > 0 && ev.completionTokens < 500, `${ev.completionTokens}`);
    assert.equal(app.get(CancellationRegistry).size, 0);
  });

  // Regression: completions through chat dropped the reasoning-only chunks before the tally saw them, so a cancel
  // while deepseek-r1 thought billed nothing (and a cut there was retried) although DeepSeek charges for the thinking.
  it('bills the reasoning of legacy completions through chat on a reasoning model, cancelled while it thinks', async () => {
    const body = { model: 'deepseek-r1', prompt: 'Think, then answer.' };
    // The mock thinks 8 tokens before answering: at 4 tokens/s, the cancel lands in the middle of it.
    const { inbox, requestId } = await invoke('deepseek-reasoner+tps=4', { provider: 'deepseek', baseUrl: `${mock.url}${mockBasePath('deepseek')}`, endpoint: 'completions', body });
    await waitFor(() => app.get(CancellationRegistry).size > 0, 2_000, 'call registered');
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    bus.emit(Subjects.adapterCancel, { requestId, reason: 'client_disconnected' }, requestId);
    const ev = await waitFor(() => usage.find((u) => u.requestId === requestId), 10_000, 'usage event');
    inbox.close();
    assert.equal(ev.outcome, 'cancelled');
    assert.ok(ev.completionTokens > 0, `the reasoning is billed: ${ev.completionTokens} completion tokens`);
  });

  it('resolves the upstream key by reference: cached per channel, refetched after a change or for an unknown reference', async () => {
    const channelId = 'ch-keys';
    const [keyA, keyB] = ['sk-mock-key-aaaa', 'sk-mock-key-bbbb'];
    const key = (k: string) => ({ channelId, keyRef: upstreamKeyFingerprint(k) });
    const fetches = () => keyFetches.filter((c) => c === channelId).length;
    const sentKeys = async () => {
      const log = (await (await fetch(`${mock.url}/mock/requests`)).json()) as { data: { headers: Record<string, string> }[] };
      return log.data.map((r) => r.headers.authorization);
    };
    await fetch(`${mock.url}/mock/requests`, { method: 'DELETE' });
    channelKeys.set(channelId, [keyA]);
    for (let i = 0; i < 3; i++) assert.equal((await drain((await invoke('gpt-4o', { key: key(keyA) })).inbox)).pop()!.type, 'end');
    assert.equal(fetches(), 1, 'one fetch, then the cache');
    // The mock logs the last four characters of the key it was sent.
    assert.deepEqual(await sentKeys(), ['Bearer ***aaaa', 'Bearer ***aaaa', 'Bearer ***aaaa']);

    // The operator replaced the key and a plan names the new one before the change reached this replica.
    channelKeys.set(channelId, [keyB]);
    assert.equal((await drain((await invoke('gpt-4o', { key: key(keyB) })).inbox)).pop()!.type, 'end');
    assert.equal(fetches(), 2, 'an unknown reference is fetched once more');
    assert.equal((await sentKeys()).pop(), 'Bearer ***bbbb');

    // A plan that still names the removed key: refetched once, still unknown, so the attempt fails as retryable.
    const gone = await drain((await invoke('gpt-4o', { key: key(keyA) })).inbox);
    assert.equal(gone.length, 1);
    const err = gone[0];
    assert.ok(err.type === 'error' && err.error.code === 'upstream_error' && err.error.retryable === true, JSON.stringify(err));
    assert.equal(err.error.message, "The channel's key is no longer configured.");
    assert.equal(fetches(), 3);
    assert.equal((await sentKeys()).length, 4, 'the upstream was not called');

    // A change broadcast drops the channel's entry: the next attempt fetches again, even for a cached reference.
    channelKeys.set(channelId, [keyA, keyB]);
    bus.emit(Subjects.routerChannelsChanged, { channelId });
    await bus.flush();
    // Nothing to observe until the next attempt: give the adapter's handler its turn after the server delivered it.
    await new Promise((r) => setTimeout(r, 200));
    assert.equal((await drain((await invoke('gpt-4o', { key: key(keyB) })).inbox)).pop()!.type, 'end');
    assert.equal(fetches(), 4);
    assert.equal((await drain((await invoke('gpt-4o', { key: key(keyA) })).inbox)).pop()!.type, 'end');
    assert.equal(fetches(), 4, 'cached again');
    assert.deepEqual((await sentKeys()).slice(-2), ['Bearer ***bbbb', 'Bearer ***aaaa']);
  });

  it('passes the client body through with the model mapped and streaming forced', async () => {
    await fetch(`${mock.url}/mock/requests`, { method: 'DELETE' });
    const body = { model: 'gpt-4o', messages: [{ role: 'user', content: 'x' }], temperature: 0.2, seed: 3, user: 'u1', custom_field: { a: 1 } };
    await drain((await invoke('upstream-name', { body })).inbox);
    const log = (await (await fetch(`${mock.url}/mock/requests`)).json()) as { data: { body: Record<string, unknown>; headers: Record<string, string> }[] };
    const sent = log.data[0];
    assert.deepEqual({ ...sent.body }, { ...body, model: 'upstream-name', stream: true, stream_options: { include_usage: true } });
    assert.ok(!sent.headers.authorization.includes('sk-mock-adapter'), 'mock masks the key in its log');
  });
});
