import { strict as assert } from 'node:assert';
import { after, before, describe, it } from 'node:test';
import type { INestApplicationContext } from '@nestjs/common';
import { DurableConsumers, type HealthReport, type KeyFailedEvent, type PlannedAttempt, Streams, Subjects, USAGE_STREAM, type UsageRecordedEvent } from '@tokenflow/contracts';
import type { NatsBus } from '@tokenflow/messaging';
import { testNamespace, testUrls, waitFor } from '@tokenflow/testing';
import { createAdapterApp } from '../src/adapter.app';
import { adapterEnvSchema } from '../src/config';
import { drain, invokeRequest, plannedAttempt, routerStandIn, startMockProvider } from './adapter.testing';

describe('provider-adapter probes (real NATS, mock upstream over HTTP)', () => {
  const ns = testNamespace('adprobe');
  let app: INestApplicationContext;
  let bus: NatsBus;
  let mock: { url: string; close(): Promise<void> };
  const usage: UsageRecordedEvent[] = [];
  const reports: HealthReport[] = [];
  const keyFailed: KeyFailedEvent[] = [];
  const keys = new Map([
    ['ch-openai', ['sk-mock-probe-openai']],
    ['ch-anthropic', ['sk-mock-probe-anthropic']],
    ['ch-revoked', ['sk-invalid']],
  ]);
  const attempt = (channelId: string, path: string, upstreamModel: string, provider: PlannedAttempt['provider'] = 'openai-compatible'): PlannedAttempt => ({
    ...plannedAttempt(`${mock.url}${path}`, channelId, keys.get(channelId)![0], upstreamModel),
    provider,
  });
  const probe = (a: PlannedAttempt) => bus.request(Subjects.adapterProbe, { attempt: a, model: 'our-model' }, { ctx: { deadline: Date.now() + 10_000 } });

  before(async () => {
    mock = await startMockProvider();
    bus = await routerStandIn(ns, keys);
    await bus.durable.ensureStream(Streams.usage);
    await bus.durable.consumeBatches({ ...DurableConsumers.ratelimitTpm, durable: 'test' }, async (batch) => {
      for (const e of batch) if (e.subject === Subjects.usageRecorded) usage.push(e.payload);
    });
    bus.on(Subjects.adapterHealthReport, (r) => void reports.push(r));
    bus.on(Subjects.routerKeyFailed, (ev) => void keyFailed.push(ev));
    await bus.flush();
    app = await createAdapterApp(adapterEnvSchema.parse({ NATS_URL: testUrls.nats, TF_NAMESPACE: ns, HEALTH_REPORT_MS: '50', LOG_LEVEL: 'error' }));
  });
  after(async () => {
    await app.close();
    await bus.durable.deleteStream(USAGE_STREAM);
    await bus.close();
    await mock.close();
  });

  it('answers a probe with the first words of a one-token answer, in each provider’s own format', async () => {
    await fetch(`${mock.url}/mock/requests`, { method: 'DELETE' });
    const openai = await probe(attempt('ch-openai', '/v1', 'gpt-4o'));
    assert.equal(openai.ok, true, JSON.stringify(openai));
    assert.equal(openai.error, null);
    assert.ok(openai.answer && openai.answer.length <= 200 && !openai.answer.includes(' '), `one token: ${openai.answer}`);
    assert.ok(openai.latencyMs >= 0 && openai.latencyMs < 5_000);

    const anthropic = await probe(attempt('ch-anthropic', '/anthropic/v1', 'claude-sonnet-4-5', 'anthropic'));
    assert.equal(anthropic.ok, true, JSON.stringify(anthropic));
    assert.ok(anthropic.answer);

    const log = (await (await fetch(`${mock.url}/mock/requests`)).json()) as { data: { path: string; body: Record<string, unknown> }[] };
    assert.deepEqual(
      log.data.map((r) => [r.path, r.body.model, r.body.max_tokens, r.body.stream]),
      [
        ['/v1/chat/completions', 'gpt-4o', 1, true],
        ['/anthropic/v1/messages', 'claude-sonnet-4-5', 1, true],
      ],
    );
  });

  it('reports a refused key as a failed probe, mapped and without the key', async () => {
    const reply = await probe(attempt('ch-revoked', '/v1', 'gpt-4o'));
    assert.equal(reply.ok, false);
    assert.equal(reply.answer, null);
    assert.equal(reply.error?.code, 'upstream_auth_error');
    assert.ok(!JSON.stringify(reply).includes('sk-invalid') && !JSON.stringify(reply).includes(mock.url));
  });

  it('is neither billed nor counted: no usage event, no health report, no key-failed event', async () => {
    await probe(attempt('ch-openai', '/v1', 'gpt-4o'));
    await probe(attempt('ch-revoked', '/v1', 'gpt-4o'));
    // A real attempt afterwards: once its usage event and health report are in, anything the probes sent would be too.
    const { req, inbox } = invokeRequest(bus, attempt('ch-openai', '/v1', 'gpt-4o'));
    await bus.request(Subjects.adapterInvoke, req, { ctx: { deadline: Date.now() + 10_000 } });
    assert.equal((await drain(inbox)).at(-1)!.type, 'end');
    await waitFor(() => usage.some((u) => u.requestId === req.requestId), 10_000, 'the attempt’s usage');
    await waitFor(() => reports.some((r) => r.targets.some((t) => t.channelId === 'ch-openai' && t.inFlight === 0)), 5_000, 'the attempt’s report');
    assert.deepEqual(usage.map((u) => u.requestId), [req.requestId], 'only the attempt published usage');
    const counted = reports.flatMap((r) => r.targets).filter((t) => t.channelId === 'ch-openai');
    assert.equal(counted.reduce((n, t) => n + t.ok + t.failed + t.keyFailed, 0), 1, 'only the attempt was counted');
    assert.ok(!reports.some((r) => r.targets.some((t) => t.channelId === 'ch-revoked' || t.channelId === 'ch-anthropic')));
    assert.deepEqual(keyFailed, [], 'a probe’s refused key is its caller’s to judge');
  });
});
