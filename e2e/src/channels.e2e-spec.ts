import { strict as assert } from 'node:assert';
import { after, before, describe, it } from 'node:test';
import { waitFor } from '@tokenflow/testing';
import OpenAI from 'openai';
import { assertOpenAiError, type ChatResult, post, streamEvents } from './support/http';
import { usageRows } from './support/ledger';
import { adminApi, type Platform, scriptedChannel, startPlatform } from './support/platform';

const user = (content = 'hi') => [{ role: 'user', content }];

interface HealthView {
  status: string;
  reason: string | null;
  error_rate: number | null;
  attempts_in_window: number;
  p50_ttft_ms: number | null;
  in_flight: number;
}
interface ChannelWithHealth {
  id: string;
  name: string;
  health: HealthView & { models: (HealthView & { model: string })[]; keys: (HealthView & { key: string })[] };
}

/**
 * Channels that never let a request down: key pools, retries that wait on the adapters' queue, fallback models,
 * breakers that open and close, the admin health view and test, and channel edits under load. Scripted failures
 * come from the mock provider's model-name directives (`fail=`, `fail-first=`).
 */
describe('channels: retries, fallbacks, breakers and hot swap', () => {
  let p: Platform;
  let admin: ReturnType<typeof adminApi>;
  let client: OpenAI;
  const chat = (body: Record<string, unknown>, key = p.key): Promise<ChatResult> => post(p.baseUrl, '/v1/chat/completions', key, body);

  const channel = (model: string, upstream: string, extra: Record<string, unknown> = {}) => scriptedChannel(p, admin, model, upstream, extra);

  async function newKey(extra: Record<string, unknown> = {}): Promise<{ key: string; accountId: string }> {
    const acct = await admin<{ id: string }>('POST', '/admin/v1/accounts', { name: 'channels', credit_usd: '5.00' });
    const key = await admin<{ key: string }>('POST', '/admin/v1/keys', { account_id: acct.body.id, ...extra });
    assert.equal(key.status, 201, JSON.stringify(key.body));
    return { key: key.body.key, accountId: acct.body.id };
  }

  const health = async (id: string) => (await admin<ChannelWithHealth>('GET', `/admin/v1/channels/${id}`)).body.health;

  before(async () => {
    p = await startPlatform('channels', {
      HEALTH_REPORT_MS: '100',
      PROBE_INTERVAL_MS: '200',
      BREAKER_COOLDOWN_MS: '1000',
      RETRY_BASE_MS: '200',
    });
    admin = adminApi(p);
    client = new OpenAI({ apiKey: p.key, baseURL: `${p.baseUrl}/v1`, maxRetries: 0 });
  });
  after(async () => p?.stop());

  it('500 then success: the retry waits on the queue, and only the attempt that answered is billed', async () => {
    await channel('c-flaky', 'gpt-4o+fail-first=1');
    const { key, accountId } = await newKey();
    const started = Date.now();
    const r = await chat({ model: 'c-flaky', messages: user() }, key);
    assert.equal(r.status, 200, JSON.stringify(r.json));
    assert.equal(r.headers.get('x-tokenflow-attempts'), '2');
    assert.ok(Date.now() - started >= 100, 'a backoff (half to all of RETRY_BASE_MS) before the retry');
    const rows = await waitFor(async () => {
      const u = await usageRows(p.databaseUrl, accountId);
      return u.length ? u : null;
    });
    await new Promise((res) => setTimeout(res, 300));
    assert.equal((await usageRows(p.databaseUrl, accountId)).length, 1, 'billed once');
    assert.equal(rows[0].request_id, r.headers.get('x-request-id'));
    assert.equal(rows[0].completion_tokens, (r.json.usage as { completion_tokens: number }).completion_tokens);
  });

  it("429 with Retry-After: waited out for the upstream's time, then served", async () => {
    await channel('c-limited', 'gpt-4o+fail=429+retry-after=1+fail-first=1');
    const started = Date.now();
    const r = await chat({ model: 'c-limited', messages: user() });
    assert.equal(r.status, 200, JSON.stringify(r.json));
    assert.equal(r.headers.get('x-tokenflow-attempts'), '2');
    assert.ok(Date.now() - started >= 900, `answered after ${Date.now() - started} ms: the Retry-After was honoured`);
  });

  it('a timeout and a disconnect before the first byte move on to the next channel', async () => {
    await channel('c-failover', 'gpt-4o+fail=timeout', { priority: 10, first_byte_timeout_ms: 300 });
    await channel('c-failover', 'gpt-4o+fail=disconnect+fail-after=0', { priority: 5 });
    await channel('c-failover', 'gpt-4o', { priority: 0 });
    const started = Date.now();
    const r = await chat({ model: 'c-failover', messages: user() });
    assert.equal(r.status, 200, JSON.stringify(r.json));
    assert.equal(r.headers.get('x-tokenflow-attempts'), '3');
    assert.ok(Date.now() - started < 3_000);
  });

  it('a disconnect after the first byte ends the stream with an OpenAI error event, and the partial answer is billed', async () => {
    await channel('c-cut', 'gpt-4o+fail=disconnect+fail-after=3');
    await channel('c-cut', 'gpt-4o', { priority: -1 });
    const { key, accountId } = await newKey();
    const { status, events } = await streamEvents(p.baseUrl, key, { model: 'c-cut', messages: user() });
    assert.equal(status, 200);
    const last = events.at(-1) as { error?: { code: string; type: string; message: string } };
    assert.equal(last.error?.code, 'upstream_error', JSON.stringify(last));
    assert.ok(!events.includes('[DONE]'), 'never a silent end');
    assert.equal(events.filter((e) => typeof e === 'object' && 'choices' in e).length >= 3, true, 'the three chunks before the cut');
    const [row] = await waitFor(async () => {
      const u = await usageRows(p.databaseUrl, accountId);
      return u.length ? u : null;
    });
    assert.ok(row.completion_tokens >= 3 && BigInt(row.amount_nano) !== 0n, JSON.stringify(row));
  });

  it('a dead key inside a healthy channel never fails a request, and is disabled at once', async () => {
    const ch = await channel('c-deadkey', 'gpt-4o', { api_keys: ['sk-invalid', 'sk-mock-good-key'] });
    for (let i = 0; i < 6; i++) assert.equal((await chat({ model: 'c-deadkey', messages: user() })).status, 200);
    const h = await waitFor(async () => {
      const v = await health(ch.id);
      return v.keys.some((k) => k.status === 'disabled') ? v : null;
    });
    assert.equal(h.status, 'closed', 'the channel itself is fine');
    assert.match(h.keys.find((k) => k.status === 'disabled')!.reason ?? '', /credentials/);
    assert.ok(h.keys.every((k) => !k.key.includes('sk-')), 'keys are shown by reference only');
  });

  it('a whole provider down: the fallback model answers, from the request, the key or the catalog', async () => {
    await channel('fb-down', 'gpt-4o+fail=500');
    await channel('fb-up', 'gpt-4o-mini');
    // The request's chain, as the SDKs send it (`extra_body`).
    const { data, response } = await client.chat.completions
      .create({ model: 'fb-down', messages: [{ role: 'user', content: 'hi' }], fallbacks: ['fb-up'] } as OpenAI.ChatCompletionCreateParamsNonStreaming)
      .withResponse();
    assert.equal(data.model, 'fb-up', 'the body names the model that served');
    assert.equal(response.headers.get('x-tokenflow-model'), 'fb-up');
    assert.equal(response.headers.get('x-tokenflow-provider'), 'openai-compatible');
    assert.equal(response.headers.get('x-tokenflow-route'), 'fallback; model=fb-up; from=fb-down');
    assert.ok(Number(response.headers.get('x-tokenflow-attempts')) >= 2);

    // The key's chain, billed once at the price of the model that answered.
    const withChain = await newKey({ fallbacks: ['fb-up'] });
    const r = await chat({ model: 'fb-down', messages: user() }, withChain.key);
    assert.equal(r.status, 200, JSON.stringify(r.json));
    const rows = await waitFor(async () => {
      const u = await usageRows(p.databaseUrl, withChain.accountId);
      return u.length ? u : null;
    });
    assert.deepEqual(rows.map((u) => u.model), ['fb-up']);
    // The key's allowed models still bind: a chain outside them is not followed.
    const bound = await newKey({ models: ['fb-down'], fallbacks: ['fb-up'] });
    const refused = await chat({ model: 'fb-down', messages: user() }, bound.key);
    assert.ok(refused.status === 502 || refused.status === 503, JSON.stringify(refused.json));

    // The catalog's chain: the seed's DeepSeek channel broken, deepseek-v3 falls back to what the catalog says.
    const models = await admin<{ data: { id: string; fallbacks: string[] }[] }>('GET', '/admin/v1/models');
    assert.deepEqual(models.body.data.find((m) => m.id === 'deepseek-v3')?.fallbacks, ['qwen-max', 'glm-4-plus']);
    const patched = await admin<{ fallbacks: string[] }>('PATCH', '/admin/v1/models/deepseek-v3', { fallbacks: ['glm-4-plus'] });
    assert.deepEqual(patched.body.fallbacks, ['glm-4-plus']);
    assert.equal((await admin('PATCH', '/admin/v1/models/deepseek-v3', { fallbacks: ['auto'] })).status, 400);
    assert.equal((await admin('PATCH', '/admin/v1/models/deepseek-v3', { fallbacks: ['no-such-model'] })).status, 400);
    const channels = await admin<{ data: { id: string; name: string }[] }>('GET', '/admin/v1/channels');
    const seeded = channels.body.data.find((c) => c.name === 'mock-deepseek')!;
    await admin('PATCH', `/admin/v1/channels/${seeded.id}`, { model_mapping: { 'deepseek-v3': 'deepseek-chat+fail=500' } });
    const fell = await chat({ model: 'deepseek-v3', messages: user() });
    assert.equal(fell.status, 200, JSON.stringify(fell.json));
    assert.equal(fell.json.model, 'glm-4-plus');
    await admin('PATCH', `/admin/v1/channels/${seeded.id}`, { model_mapping: {} });
    assert.equal((await chat({ model: 'deepseek-v3', messages: user() })).json.model, 'deepseek-v3');
  });

  it('everything down: an error within a second or two, and 503 no_available_channel at once when the breakers are open', async () => {
    await channel('c-down', 'gpt-4o+fail=500');
    await channel('c-down', 'gpt-4o+fail=overloaded');
    let sawOpen = false;
    for (let i = 0; i < 12 && !sawOpen; i++) {
      const started = Date.now();
      const r = await chat({ model: 'c-down', messages: user() });
      const took = Date.now() - started;
      assert.ok(took < 2_500, `answered in ${took} ms`);
      if (r.status === 503) {
        assertOpenAiError(r, 503, 'no_available_channel');
        assert.ok(took < 500, `a 503 from open breakers is immediate (${took} ms)`);
        sawOpen = true;
      } else assertOpenAiError(r, 502, 'upstream_error');
      await new Promise((res) => setTimeout(res, 150));
    }
    assert.ok(sawOpen, 'the breakers opened');
  });

  it('a breaker opens on errors, shows in GET /admin/v1/channels, and closes once a probe passes', async () => {
    // Fails its first 6 calls (requests, retries and probes alike), then recovers on its own.
    const ch = await channel('c-breaker', 'gpt-4o+fail-first=6');
    await chat({ model: 'c-breaker', messages: user() });
    await chat({ model: 'c-breaker', messages: user() });
    const open = await waitFor(async () => {
      const h = await health(ch.id);
      return h.status === 'open' || h.status === 'half_open' ? h : null;
    }, 5_000, 'the breaker to open');
    assert.match(open.reason ?? '', /error rate|probe/);
    const listed = await admin<{ data: ChannelWithHealth[] }>('GET', '/admin/v1/channels');
    assert.ok(['open', 'half_open'].includes(listed.body.data.find((c) => c.id === ch.id)!.health.status));
    const closed = await waitFor(async () => {
      const h = await health(ch.id);
      return h.status === 'closed' ? h : null;
    }, 15_000, 'a probe to close the breaker');
    assert.equal(closed.reason, null);
    const r = await chat({ model: 'c-breaker', messages: user() });
    assert.equal(r.status, 200, JSON.stringify(r.json));
    const after = await waitFor(async () => {
      const m = (await health(ch.id)).models.find((x) => x.model === 'c-breaker')!;
      return m.attempts_in_window > 0 && m.p50_ttft_ms !== null ? m : null;
    });
    assert.equal(after.error_rate, 0, "a closed breaker starts from a clean window (the channel's totals keep the history)");
  });

  it('POST /admin/v1/channels/{id}/test probes every key and reports each one', async () => {
    const ch = await channel('c-test', 'gpt-4o', { api_keys: ['sk-invalid', 'sk-mock-tested-key'] });
    const r = await admin<{ channel_id: string; model: string; results: { key: string; ok: boolean; latency_ms: number; answer: string | null; error: { code: string } | null }[] }>(
      'POST',
      `/admin/v1/channels/${ch.id}/test`,
      {},
    );
    assert.equal(r.status, 200, JSON.stringify(r.body));
    assert.equal(r.body.model, 'c-test');
    const [bad, good] = r.body.results;
    assert.deepEqual([bad.ok, bad.error?.code], [false, 'upstream_auth_error']);
    assert.equal(good.ok, true, JSON.stringify(good));
    assert.ok(good.answer && good.latency_ms > 0);
    assert.ok(!JSON.stringify(r.body).includes('sk-'), 'no key in the answer');
    assert.equal((await admin('POST', `/admin/v1/channels/${ch.id}/test`, { model: 'other' })).status, 400);
    assert.equal((await admin('POST', '/admin/v1/channels/00000000-0000-0000-0000-000000000000/test', {})).status, 404);
  });

  it('adding, editing, disabling and deleting channels and keys under streaming load fails nothing, on every router replica within a second', async () => {
    const second = await p.extraReplica('router');
    try {
      const a = await channel('c-swap', 'gpt-4o+tps=100+tokens=10');
      let stop = false;
      const failures: string[] = [];
      let served = 0;
      const worker = async () => {
        while (!stop) {
          const { status, events } = await streamEvents(p.baseUrl, p.key, { model: 'c-swap', messages: user() });
          if (status !== 200 || events.at(-1) !== '[DONE]') failures.push(`${status} ${JSON.stringify(events.at(-1))}`);
          else served++;
        }
      };
      const workers = Array.from({ length: 6 }, worker);
      const pause = () => new Promise((res) => setTimeout(res, 400));
      await pause();
      const b = await channel('c-swap', 'gpt-4o-mini+tps=100+tokens=10');
      await pause();
      assert.equal((await admin('PATCH', `/admin/v1/channels/${a.id}`, { weight: 5, api_keys: ['sk-mock-channels', 'sk-mock-second'] })).status, 200);
      await pause();
      assert.equal((await admin('PATCH', `/admin/v1/channels/${b.id}`, { enabled: false })).status, 200);
      await pause();
      assert.equal((await admin('PATCH', `/admin/v1/channels/${b.id}`, { enabled: true })).status, 200);
      await pause();
      // Deleted with streams in flight on it: they finish; within a second nothing new goes there, on either replica.
      assert.equal((await admin('DELETE', `/admin/v1/channels/${a.id}`)).status, 200);
      const deletedAt = Date.now();
      await new Promise((res) => setTimeout(res, 1_000));
      await fetch(`${p.mockUrl}/mock/requests`, { method: 'DELETE' });
      await new Promise((res) => setTimeout(res, 800));
      stop = true;
      await Promise.all(workers);
      assert.deepEqual(failures, [], 'zero failed requests');
      assert.ok(served > 20, `served ${served}`);
      const log = (await (await fetch(`${p.mockUrl}/mock/requests`)).json()) as { data: { body?: { model?: string } }[] };
      // Other tests' broken channels are still being probed; this test's two channels are told apart by their upstream names.
      const models = log.data.map((r) => r.body?.model ?? '').filter((m) => m.endsWith('+tps=100+tokens=10'));
      assert.ok(models.length > 0 && models.every((m) => m.startsWith('gpt-4o-mini')), `after the delete (+${Date.now() - deletedAt} ms) only channel b: ${[...new Set(models)].join(', ')}`);
    } finally {
      await second.stop();
    }
  });
});
