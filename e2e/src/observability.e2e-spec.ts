import { strict as assert } from 'node:assert';
import { after, before, describe, it } from 'node:test';
import type { AppName } from '@tokenflow/tools';
import { waitFor } from '@tokenflow/testing';
import OpenAI from 'openai';
import { post } from './support/http';
import { adminApi, type Platform, scriptedChannel, startPlatform } from './support/platform';

/** The five services; the mock provider is no part of the platform's operations surface. */
const SERVICES = ['ingress', 'router', 'provider-adapter', 'billing', 'ratelimit'] as const satisfies readonly AppName[];

interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

/** Prometheus text format → samples (enough of it for our own series: no escaped quotes in label values). */
function parseMetrics(text: string): Sample[] {
  const out: Sample[] = [];
  for (const line of text.split('\n')) {
    if (!line || line.startsWith('#')) continue;
    const m = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!m) continue;
    const labels: Record<string, string> = {};
    for (const [, k, v] of (m[2] ?? '').matchAll(/(\w+)="([^"]*)"/g)) labels[k] = v;
    out.push({ name: m[1], labels, value: Number(m[3]) });
  }
  return out;
}

/** The samples of `name` whose labels include `labels`. */
function series(samples: Sample[], name: string, labels: Record<string, string> = {}): Sample[] {
  return samples.filter((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v));
}

const sum = (samples: Sample[]) => samples.reduce((n, s) => n + s.value, 0);

/** One pino line of `app` per element (other output, e.g. a stack trace, left out). */
function jsonLines(logs: string[], app: string): Record<string, unknown>[] {
  const prefix = `[${app}] `;
  const out: Record<string, unknown>[] = [];
  for (const line of logs) {
    if (!line.startsWith(prefix)) continue;
    try {
      out.push(JSON.parse(line.slice(prefix.length)) as Record<string, unknown>);
    } catch {
      // not a log line
    }
  }
  return out;
}

describe('observability: every service serves /healthz, /readyz and /metrics; API requests are counted and logged', () => {
  let p: Platform;
  let admin: ReturnType<typeof adminApi>;
  let client: OpenAI;
  const scrape = async (app: AppName) => {
    const res = await fetch(`${p.ops[app]}/metrics`);
    assert.equal(res.status, 200, `${app} /metrics`);
    return parseMetrics(await res.text());
  };
  /** Answered through the SDK: request id and provider from the response headers. */
  const served: { requestId: string; model: string; provider: string; stream: boolean }[] = [];
  let limited: { key: string; keyId: string; accountId: string; requestIds: string[] };

  before(async () => {
    p = await startPlatform('observability');
    admin = adminApi(p);
    client = new OpenAI({ apiKey: p.key, baseURL: `${p.baseUrl}/v1`, maxRetries: 0 });

    const whole = await client.chat.completions.create({ model: 'deepseek-v3', messages: [{ role: 'user', content: 'Say hello' }] }).withResponse();
    served.push({ requestId: whole.response.headers.get('x-request-id')!, model: 'deepseek-v3', provider: whole.response.headers.get('x-tokenflow-provider')!, stream: false });
    const { data: stream, response } = await client.chat.completions
      .create({ model: 'qwen-max', messages: [{ role: 'user', content: 'Stream me something' }], stream: true, stream_options: { include_usage: true } })
      .withResponse();
    for await (const chunk of stream) void chunk;
    served.push({ requestId: response.headers.get('x-request-id')!, model: 'qwen-max', provider: response.headers.get('x-tokenflow-provider')!, stream: true });

    // A key allowed one request a minute: the second is refused by the limiter.
    const acct = await admin<{ id: string }>('POST', '/admin/v1/accounts', { name: 'obs', credit_usd: '10' });
    const key = await admin<{ id: string; key: string }>('POST', '/admin/v1/keys', { account_id: acct.body.id, rpm: 1 });
    assert.equal(key.status, 201, JSON.stringify(key.body));
    limited = { key: key.body.key, keyId: key.body.id, accountId: acct.body.id, requestIds: [] };
    for (const expected of [200, 429]) {
      const r = await post(p.baseUrl, '/v1/chat/completions', limited.key, { model: 'deepseek-v3', max_tokens: 8, messages: [{ role: 'user', content: 'hi' }] });
      assert.equal(r.status, expected, JSON.stringify(r.json));
      limited.requestIds.push(r.headers.get('x-request-id')!);
    }

    // An upstream answering 500: the adapter counts the failure by kind.
    await scriptedChannel(p, admin, 'obs-broken', 'gpt-4o+fail=500');
    const broken = await post(p.baseUrl, '/v1/chat/completions', p.key, { model: 'obs-broken', messages: [{ role: 'user', content: 'hi' }] });
    assert.ok(broken.status >= 500, `${broken.status} ${JSON.stringify(broken.json)}`);
  });
  after(async () => p?.stop());

  it('knows every service’s ops URL from its ready message, and each one is live and ready', async () => {
    for (const app of SERVICES) {
      assert.match(p.ops[app], /^http:\/\/127\.0\.0\.1:\d+$/, app);
      const live = await fetch(`${p.ops[app]}/healthz`);
      assert.equal(live.status, 200, `${app} /healthz`);
      const ready = await fetch(`${p.ops[app]}/readyz`);
      const body = (await ready.json()) as { status: string; checks?: Record<string, string> };
      assert.equal(ready.status, 200, `${app} /readyz: ${JSON.stringify(body)}`);
      assert.equal(body.status, 'ready');
    }
    // Each service checks its own dependencies, and only those.
    const checks = async (app: AppName) => ((await (await fetch(`${p.ops[app]}/readyz`)).json()) as { checks: Record<string, string> }).checks;
    assert.deepEqual(await checks('router'), { nats: 'ok', redis: 'ok', postgres: 'ok' });
    assert.deepEqual(await checks('billing'), { nats: 'ok', redis: 'ok', postgres: 'ok' });
    assert.deepEqual(await checks('ratelimit'), { nats: 'ok', redis: 'ok' });
    assert.deepEqual(await checks('provider-adapter'), { nats: 'ok', redis: 'ok' });
    assert.notEqual(new Set(SERVICES.map((a) => p.ops[a])).size, 1, 'each service on a port of its own');
  });

  it('labels every series with its service and exports event-loop lag everywhere', async () => {
    for (const app of SERVICES) {
      const samples = await scrape(app);
      const lag = series(samples, 'nodejs_eventloop_lag_seconds');
      assert.equal(lag.length, 1, `${app}: event-loop lag`);
      assert.equal(lag[0].labels.service, app);
    }
  });

  it('ingress: requests by endpoint, model, provider and status; time to first token; tokens and cost', async () => {
    const samples = await scrape('ingress');
    for (const s of served) {
      const labels = { endpoint: 'chat', model: s.model, provider: s.provider };
      assert.ok(s.provider && s.provider !== 'none');
      assert.ok(sum(series(samples, 'tokenflow_requests_total', { ...labels, status: '200' })) >= 1, `requests ${JSON.stringify(labels)}`);
      assert.ok(sum(series(samples, 'tokenflow_request_duration_seconds_count', { ...labels, status: '200' })) >= 1);
      assert.ok(sum(series(samples, 'tokenflow_request_duration_seconds_sum', { ...labels, status: '200' })) > 0);
      const ttft = series(samples, 'tokenflow_time_to_first_token_seconds_count', labels);
      assert.ok(sum(ttft) >= 1, `TTFT observed for ${s.model}`);
      const ttftSum = sum(series(samples, 'tokenflow_time_to_first_token_seconds_sum', labels));
      assert.ok(ttftSum > 0 && ttftSum <= sum(series(samples, 'tokenflow_request_duration_seconds_sum', { ...labels, status: '200' })), 'first token before the last byte');
      for (const direction of ['input', 'output']) {
        assert.ok(sum(series(samples, 'tokenflow_tokens_total', { model: s.model, provider: s.provider, direction })) > 0, `${direction} tokens of ${s.model}`);
      }
      const cost = sum(series(samples, 'tokenflow_cost_usd_total', { model: s.model, provider: s.provider }));
      assert.ok(cost > 0 && cost < 0.01, `cost of ${s.model}: ${cost}`);
    }
    // The limited request: refused before any upstream, under the model it asked for.
    assert.equal(sum(series(samples, 'tokenflow_requests_total', { endpoint: 'chat', model: 'deepseek-v3', provider: 'none', status: '429' })), 1);
    // The existing HTTP metrics stay.
    assert.ok(series(samples, 'tokenflow_http_requests_total', { route: '/v1/chat/completions' }).length > 0);
  });

  it('provider-adapter: upstream attempts by provider, model and outcome, and upstream errors by kind', async () => {
    const samples = await scrape('provider-adapter');
    const deepseek = served.find((s) => s.model === 'deepseek-v3')!;
    assert.ok(sum(series(samples, 'tokenflow_upstream_duration_seconds_count', { provider: deepseek.provider, model: 'deepseek-v3', outcome: 'ok' })) >= 2);
    assert.ok(sum(series(samples, 'tokenflow_upstream_errors_total', { provider: 'openai-compatible', kind: 'server' })) >= 1);
    assert.ok(sum(series(samples, 'tokenflow_upstream_duration_seconds_count', { provider: 'openai-compatible', model: 'obs-broken', outcome: 'error' })) >= 1);
    // Its retry queue, and the gauges it had before (now on the ops port).
    assert.equal(series(samples, 'tokenflow_bullmq_queue_jobs', { state: 'waiting' }).length, 1);
    assert.equal(series(samples, 'tokenflow_usage_spool_events').length, 1);
  });

  it('router: a breaker gauge per channel, closed for the seeded ones; its probe queue', async () => {
    const samples = await scrape('router');
    const breakers = series(samples, 'tokenflow_channel_breaker_open');
    assert.ok(breakers.length >= 7, `one per channel: ${breakers.length}`);
    const channels = await admin<{ data: { id: string; name: string }[] }>('GET', '/admin/v1/channels');
    const seeded = channels.body.data.filter((c) => c.name.startsWith('mock-'));
    assert.ok(seeded.length >= 6, JSON.stringify(channels.body.data.map((c) => c.name)));
    for (const ch of seeded) {
      assert.deepEqual(series(samples, 'tokenflow_channel_breaker_open', { channel: ch.id }).map((s) => s.value), [0], ch.name);
    }
    assert.ok(series(samples, 'tokenflow_bullmq_queue_jobs', { state: 'delayed' }).some((s) => s.labels.queue.endsWith('-router-probes')));
  });

  it('ratelimit: the denial counted by the limit that denied it; its consumer lag', async () => {
    const samples = await scrape('ratelimit');
    assert.ok(sum(series(samples, 'tokenflow_ratelimit_denials_total', { limit: 'rpm' })) >= 1);
    assert.equal(series(samples, 'tokenflow_jetstream_consumer_pending', { stream: 'TF_USAGE', consumer: 'ratelimit-tpm' }).length, 1);
  });

  it('billing: hold and settlement latency, settlement consumer lag, its job queues', async () => {
    // Settlement runs after the answers: wait until it has settled batches and caught up.
    let samples: Sample[] = [];
    await waitFor(
      async () => {
        samples = await scrape('billing');
        const pending = series(samples, 'tokenflow_jetstream_consumer_pending', { stream: 'TF_USAGE', consumer: 'billing-settler' });
        return sum(series(samples, 'tokenflow_settle_duration_seconds_count')) >= 1 && pending.length === 1 && pending[0].value === 0;
      },
      20_000,
      'settlement caught up',
    );
    assert.ok(sum(series(samples, 'tokenflow_hold_duration_seconds_count', { outcome: 'granted' })) >= 3);
    assert.ok(sum(series(samples, 'tokenflow_settle_duration_seconds_sum')) > 0);
    const queues = new Set(series(samples, 'tokenflow_bullmq_queue_jobs').map((s) => s.labels.queue));
    assert.ok([...queues].some((q) => q.endsWith('-billing-holds')), [...queues].join());
    assert.ok([...queues].some((q) => q.endsWith('-billing-output-rollup')), [...queues].join());
  });

  it('logs one JSON line per API request with ids, models, provider, status, timings, tokens and cost, never the key', async () => {
    const lines = jsonLines(p.logs, 'ingress').filter((l) => l.msg === 'request');
    const byId = new Map(lines.map((l) => [l.requestId as string, l]));
    for (const s of served) {
      const line = byId.get(s.requestId);
      assert.ok(line, `a line for ${s.requestId}`);
      assert.equal(line.level, 30);
      assert.deepEqual([line.accountId, line.model, line.requestedModel, line.servedModel, line.provider, line.status, line.errorCode], [p.accountId, s.model, s.model, s.model, s.provider, 200, null]);
      assert.match(String(line.traceId), /^[0-9a-f]{32}$/);
      assert.match(String(line.keyId), /\S/);
      assert.ok((line.latencyMs as number) > 0 && (line.ttftMs as number) > 0 && (line.ttftMs as number) <= (line.latencyMs as number));
      const tokens = line.tokens as { input: number; output: number };
      assert.ok(tokens.input > 0 && tokens.output > 0);
      assert.match(String(line.costUsd), /^0\.\d+$/);
    }
    const [ok, refused] = limited.requestIds.map((id) => byId.get(id));
    assert.deepEqual([ok?.keyId, ok?.accountId, ok?.status], [limited.keyId, limited.accountId, 200]);
    assert.deepEqual([refused?.keyId, refused?.status, refused?.errorCode, refused?.servedModel, refused?.costUsd], [limited.keyId, 429, 'rate_limit_exceeded', null, null]);
    // Keys are named by id: neither the demo key nor the limited one appears in any service's output.
    for (const secret of [p.key, limited.key]) assert.ok(!p.logs.some((l) => l.includes(secret)), 'an API key in a log line');
  });

  it('honours LOG_LEVEL in a real service process: warn writes no info line, debug writes debug lines', async () => {
    for (const [level, expectDebug] of [
      ['warn', false],
      ['debug', true],
    ] as const) {
      const before = p.logs.length;
      const replica = await p.extraReplica('ratelimit', { LOG_LEVEL: level });
      try {
        // Ready once its own Redis connection is up (it may still be connecting as it reports ready).
        await waitFor(async () => (await fetch(`${replica.opsUrl}/readyz`)).status === 200, 10_000, `ratelimit#2 at ${level} ready`);
      } finally {
        await replica.stop();
      }
      // Every line it wrote is pino JSON (Nest's own included), at or above its level.
      const fresh = p.logs.slice(before).filter((l) => l.startsWith('[ratelimit#2] '));
      const parsed = fresh.map((l) => JSON.parse(l.slice('[ratelimit#2] '.length)) as { level: number; msg: string });
      if (expectDebug) {
        assert.ok(parsed.some((l) => l.level === 20), `debug lines at LOG_LEVEL=debug: ${fresh.join('\n')}`);
        assert.ok(parsed.some((l) => l.level === 30), 'and info lines');
      } else {
        assert.deepEqual(parsed.filter((l) => l.level < 40), [], 'no line below warn');
      }
    }
  });
});
