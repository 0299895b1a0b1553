import { strict as assert } from 'node:assert';
import { after, before, describe, it } from 'node:test';
import { REQUEST_CONTENT_MAX_CHARS, type RequestLogListReply, type RequestLogView, Streams } from '@tokenflow/contracts';
import { NatsBus } from '@tokenflow/messaging';
import { testUrls, waitFor } from '@tokenflow/testing';
import OpenAI from 'openai';
import { withDb } from './support/ledger';
import { post } from './support/http';
import { adminApi, type Platform, scriptedChannel, startPlatform } from './support/platform';

/**
 * The request log (issue 14 point 6, decision 0020): every `/v1` request, answered or refused, is in
 * `GET /admin/v1/requests` with what it did, its cost equal to the ledger's charge, and content only for keys with
 * `log_content` on.
 */
describe('request log', () => {
  let p: Platform;
  let admin: ReturnType<typeof adminApi>;
  const user = (content = 'hi') => [{ role: 'user', content }];

  async function newKey(extra: Record<string, unknown> = {}): Promise<{ key: string; keyId: string; accountId: string }> {
    const acct = await admin<{ id: string }>('POST', '/admin/v1/accounts', { name: 'reqlog', credit_usd: '5.00' });
    const key = await admin<{ id: string; key: string }>('POST', '/admin/v1/keys', { account_id: acct.body.id, ...extra });
    assert.equal(key.status, 201, JSON.stringify(key.body));
    return { key: key.body.key, keyId: key.body.id, accountId: acct.body.id };
  }
  /** The entry once billing has stored it (written off the hot path, so a moment after the answer). */
  const logged = (id: string | null) =>
    waitFor(async () => {
      const r = await admin<RequestLogView>('GET', `/admin/v1/requests/${id}`);
      return r.status === 200 ? r.body : null;
    }, 10_000, `request ${id} in the log`);
  /** What the ledger charged for the request (every round's usage; a fallback round's id extends the call's). */
  const charged = (id: string) =>
    withDb(p.databaseUrl, async (c) => {
      const r = await c.query(`SELECT COALESCE(-sum(amount_nano), 0)::text AS n, count(*)::int AS rows FROM billing.ledger_entries WHERE kind = 'usage' AND (request_id = $1 OR request_id LIKE $1 || '-%')`, [id]);
      return r.rows[0].rows ? (r.rows[0].n as string) : null;
    });
  const list = (query: string) => admin<RequestLogListReply>('GET', `/admin/v1/requests?${query}`);

  before(async () => {
    p = await startPlatform('reqlog', { RETRY_BASE_MS: '200' });
    admin = adminApi(p);
  });
  after(async () => {
    await p?.stop();
    const bus = await NatsBus.connect({ url: testUrls.nats, name: 'reqlog-teardown', namespace: p.namespace });
    await bus.durable.deleteStream(Streams.requests.name);
    await bus.close();
  });

  it('an answered request, whole and streamed: who served it, tokens, cost equal to the ledger charge, time to first byte', async () => {
    const { key, keyId, accountId } = await newKey();
    const client = new OpenAI({ apiKey: key, baseURL: `${p.baseUrl}/v1`, maxRetries: 0 });
    const { data, response } = await client.chat.completions.create({ model: 'deepseek-v3', messages: [{ role: 'user', content: 'hello' }] }).withResponse();
    const id = response.headers.get('x-request-id')!;
    const e = await logged(id);
    assert.equal(e.account_id, accountId);
    assert.equal(e.key_id, keyId);
    assert.equal(e.method, 'POST');
    assert.equal(e.path, '/v1/chat/completions');
    assert.equal(e.endpoint, 'chat');
    assert.equal(e.requested_model, 'deepseek-v3');
    assert.equal(e.served_model, 'deepseek-v3');
    assert.equal(e.provider, response.headers.get('x-tokenflow-provider'));
    assert.ok(e.channel_id);
    assert.equal(e.attempts, 1);
    assert.equal(e.stream, false);
    assert.equal(e.status, 200);
    assert.equal(e.error_code, null);
    assert.equal(e.usage.input_tokens, data.usage!.prompt_tokens);
    assert.equal(e.usage.output_tokens, data.usage!.completion_tokens);
    assert.ok(e.ttft_ms !== null && e.ttft_ms > 0 && e.ttft_ms <= e.latency_ms);
    assert.equal(e.has_content, false);
    assert.equal(e.content, undefined, 'no content without log_content');
    const ledger = await waitFor(() => charged(id), 10_000, 'the ledger charge');
    assert.equal(e.cost_nano, ledger);
    assert.equal(e.cost_usd, response.headers.get('x-tokenflow-cost-usd'));

    const stream = await client.chat.completions.create({ model: 'deepseek-v3', messages: [{ role: 'user', content: 'stream please' }], stream: true, stream_options: { include_usage: true } }).withResponse();
    let usage: OpenAI.CompletionUsage | undefined;
    for await (const chunk of stream.data) usage = chunk.usage ?? usage;
    const sid = stream.response.headers.get('x-request-id')!;
    const s = await logged(sid);
    assert.equal(s.stream, true);
    assert.equal(s.status, 200);
    assert.equal(s.error_code, null);
    assert.equal(s.usage.output_tokens, usage!.completion_tokens);
    assert.ok(s.ttft_ms !== null && s.ttft_ms <= s.latency_ms);
    assert.equal(s.cost_nano, await waitFor(() => charged(sid), 10_000, 'the stream charge'));
    assert.match(s.trace_id ?? '', /^[0-9a-f]{32}$/);
  });

  it('a client that leaves mid-stream: logged as 499 client_closed (Fastify tells nothing of it on its own)', async () => {
    const { key, keyId } = await newKey();
    await scriptedChannel(p, admin, 'm-reqlog-slow', 'gpt-4o+tokens=400+tps=40');
    const ctrl = new AbortController();
    const res = await fetch(`${p.baseUrl}/v1/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'm-reqlog-slow', stream: true, messages: user('long story') }),
      signal: ctrl.signal,
    });
    assert.equal(res.status, 200);
    const id = res.headers.get('x-request-id');
    const reader = res.body!.getReader();
    let events = 0;
    while (events < 3) {
      const { value, done } = await reader.read();
      assert.ok(!done, 'the stream ended before the client left');
      events += (new TextDecoder().decode(value).match(/data: /g) ?? []).length;
    }
    ctrl.abort();
    const e = await logged(id);
    assert.deepEqual([e.key_id, e.status, e.error_code, e.served_model, e.stream], [keyId, 499, 'client_closed', 'm-reqlog-slow', true]);
    assert.ok(e.ttft_ms !== null && e.ttft_ms <= e.latency_ms);
    assert.ok(e.latency_ms < 8_000, `logged when the client left (${e.latency_ms} ms), not when the 10 s stream would have ended`);
  });

  it('refused requests: a bad key (401), an invalid body (400), a rate limit (429)', async () => {
    const bad = await post(p.baseUrl, '/v1/chat/completions', 'tf-not-a-key', { model: 'deepseek-v3', messages: user() });
    assert.equal(bad.status, 401);
    const e401 = await logged(bad.headers.get('x-request-id'));
    assert.equal(e401.account_id, null);
    assert.equal(e401.key_id, null);
    assert.equal(e401.status, 401);
    assert.equal(e401.error_code, 'invalid_api_key');
    assert.equal(e401.attempts, 0);
    assert.equal(e401.cost_nano, null);

    const { key, keyId, accountId } = await newKey({ rpm: 1 });
    const invalid = await post(p.baseUrl, '/v1/chat/completions', key, { model: 'deepseek-v3', messages: 'not a list' });
    assert.equal(invalid.status, 400);
    const e400 = await logged(invalid.headers.get('x-request-id'));
    assert.equal(e400.key_id, keyId);
    assert.equal(e400.account_id, accountId);
    assert.equal(e400.status, 400);
    assert.equal(e400.error_code, invalid.json.error!.code ?? 'http_400');

    const ok = await post(p.baseUrl, '/v1/chat/completions', key, { model: 'deepseek-v3', messages: user() });
    assert.equal(ok.status, 200);
    const limited = await post(p.baseUrl, '/v1/chat/completions', key, { model: 'deepseek-v3', messages: user() });
    assert.equal(limited.status, 429);
    const e429 = await logged(limited.headers.get('x-request-id'));
    assert.equal(e429.status, 429);
    assert.equal(e429.error_code, 'rate_limit_exceeded');
    assert.equal(e429.requested_model, 'deepseek-v3');
    assert.equal(e429.attempts, 0);
    assert.equal(e429.cost_nano, null);
  });

  it('a fallback and an `auto` request: the model that served, the attempts, the route', async () => {
    await scriptedChannel(p, admin, 'rl-down', 'gpt-4o+fail=500');
    await scriptedChannel(p, admin, 'rl-up', 'gpt-4o-mini');
    const { key } = await newKey();
    const r = await post(p.baseUrl, '/v1/chat/completions', key, { model: 'rl-down', messages: user(), fallbacks: ['rl-up'] });
    assert.equal(r.status, 200, JSON.stringify(r.json));
    const id = r.headers.get('x-request-id')!;
    const e = await logged(id);
    assert.equal(e.requested_model, 'rl-down');
    assert.equal(e.served_model, 'rl-up');
    assert.equal(e.attempts, Number(r.headers.get('x-tokenflow-attempts')));
    assert.ok(e.attempts >= 2);
    assert.equal(e.route, r.headers.get('x-tokenflow-route'));
    assert.equal(e.cost_nano, await waitFor(() => charged(id), 10_000, 'the fallback charge'));

    const auto = await post(p.baseUrl, '/v1/chat/completions', key, { model: 'auto', messages: user('Write a Python function that reverses a list.') });
    assert.equal(auto.status, 200, JSON.stringify(auto.json));
    const a = await logged(auto.headers.get('x-request-id'));
    assert.equal(a.requested_model, 'auto');
    assert.equal(a.served_model, auto.headers.get('x-tokenflow-model'));
    assert.notEqual(a.served_model, 'auto');
    assert.ok(a.category);
    assert.ok(a.route?.includes('cat='), a.route ?? 'no route');
  });

  it('filters and cursor pagination, newest first; clear 400s; 404 for an unknown id; admin and health calls are not logged', async () => {
    const { key, keyId, accountId } = await newKey();
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) {
      const r = await post(p.baseUrl, '/v1/chat/completions', key, { model: i % 2 ? 'qwen-max' : 'deepseek-v3', messages: user() });
      assert.equal(r.status, 200);
      ids.push(r.headers.get('x-request-id')!);
    }
    const denied = await post(p.baseUrl, '/v1/chat/completions', key, { model: 'no-such-model', messages: user() });
    ids.push(denied.headers.get('x-request-id')!);
    const newestFirst = [...ids].reverse();
    await waitFor(async () => (await list(`key_id=${keyId}&limit=200`)).body.data.length === 6, 10_000, 'all six logged');

    const seen: string[] = [];
    let after = '';
    for (let page = 0; page < 10; page++) {
      const r = await list(`account_id=${accountId}&limit=2${after ? `&after=${after}` : ''}`);
      assert.equal(r.status, 200, JSON.stringify(r.body));
      assert.equal(r.body.object, 'list');
      seen.push(...r.body.data.map((d) => d.id));
      if (!r.body.has_more) {
        assert.equal(r.body.next_cursor, null);
        break;
      }
      after = encodeURIComponent(r.body.next_cursor!);
    }
    assert.deepEqual(seen, newestFirst);

    const qwen = await list(`key_id=${keyId}&model=qwen-max`);
    assert.deepEqual(qwen.body.data.map((d) => d.id), [ids[3], ids[1]]);
    const failed = await list(`key_id=${keyId}&status=${denied.status}`);
    assert.deepEqual(failed.body.data.map((d) => d.id), [ids[5]]);
    assert.deepEqual((await list(`key_id=${keyId}&error_code=${denied.json.error!.code}`)).body.data.map((d) => d.id), [ids[5]]);
    const first = await logged(ids[0]);
    const since = await list(`key_id=${keyId}&since=${encodeURIComponent(first.created_at)}&until=${encodeURIComponent(new Date(Date.parse(first.created_at) + 1).toISOString())}`);
    assert.deepEqual(since.body.data.map((d) => d.id), [ids[0]]);

    for (const q of ['limit=500', 'limit=0', 'status=abc', 'account_id=nope', 'since=yesterday', 'bogus=1', 'after=not-a-cursor']) {
      const r = await admin<{ error: { type: string; param: string | null } }>('GET', `/admin/v1/requests?${q}`);
      assert.equal(r.status, 400, q);
      assert.equal(r.body.error.type, 'invalid_request_error', q);
    }
    const missing = await admin<{ error: { code: string } }>('GET', '/admin/v1/requests/req_unknown');
    assert.equal(missing.status, 404);
    assert.equal(missing.body.error.code, 'not_found');

    const adminCall = await fetch(`${p.baseUrl}/admin/v1/requests?limit=1`, { headers: { authorization: `Bearer ${p.adminKey}` } });
    const health = await fetch(`${p.baseUrl}/healthz`);
    await new Promise((r) => setTimeout(r, 1_000));
    for (const res of [adminCall, health]) assert.equal((await admin('GET', `/admin/v1/requests/${res.headers.get('x-request-id')}`)).status, 404);
  });

  it('content: off by default; with log_content on, the request and the answer (whole and streamed), capped', async () => {
    const plain = await newKey();
    const off = await post(p.baseUrl, '/v1/chat/completions', plain.key, { model: 'deepseek-v3', messages: user('secret') });
    assert.equal((await logged(off.headers.get('x-request-id'))).has_content, false);

    const on = await newKey({ log_content: true });
    const body = { model: 'deepseek-v3', messages: user('remember this') };
    const whole = await post(p.baseUrl, '/v1/chat/completions', on.key, body);
    assert.equal(whole.status, 200);
    const w = await logged(whole.headers.get('x-request-id'));
    assert.equal(w.has_content, true);
    assert.deepEqual(w.content!.request, body);
    assert.deepEqual(w.content!.response, whole.json);
    assert.equal(w.content!.truncated, false);
    // Not in lists.
    const page = await list(`key_id=${on.keyId}`);
    assert.equal(page.body.data[0].has_content, true);
    assert.equal(page.body.data[0].content, undefined);

    const streamed = await fetch(`${p.baseUrl}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${on.key}` },
      body: JSON.stringify({ ...body, stream: true }),
    });
    const sse = await streamed.text();
    const s = await logged(streamed.headers.get('x-request-id'));
    assert.equal(s.content!.response, sse, 'the events as sent');

    const big = await post(p.baseUrl, '/v1/chat/completions', on.key, { model: 'deepseek-v3', max_tokens: 4, messages: user('x'.repeat(100_000)) });
    assert.equal(big.status, 200, JSON.stringify(big.json));
    const b = await logged(big.headers.get('x-request-id'));
    assert.equal(b.content!.truncated, true);
    assert.equal(typeof b.content!.request, 'string');
    assert.equal((b.content!.request as string).length, REQUEST_CONTENT_MAX_CHARS);

    // Turned off again by PATCH: applies at once (the key's cached principal is dropped).
    const patched = await admin<{ log_content: boolean }>('PATCH', `/admin/v1/keys/${on.keyId}`, { log_content: false });
    assert.equal(patched.status, 200);
    assert.equal(patched.body.log_content, false);
    const later = await waitFor(async () => {
      const r = await post(p.baseUrl, '/v1/chat/completions', on.key, body);
      const e = await logged(r.headers.get('x-request-id'));
      return e.has_content ? null : e;
    }, 10_000, 'content logging off');
    assert.equal(later.content, undefined);
  });
});
