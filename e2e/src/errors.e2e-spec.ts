import { strict as assert } from 'node:assert';
import { after, before, describe, it } from 'node:test';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { seed } from '@tokenflow/tools';
import { waitFor } from '@tokenflow/testing';
import { Client } from 'pg';
import { adminApi, assertNoUpstreamKeyLogged, type Platform, scriptedChannel as createScripted, startPlatform } from './support/platform';
import { assertOpenAiError, post, streamEvents } from './support/http';

const user = (content = 'hi') => [{ role: 'user', content }];

describe('errors: every failure is an OpenAI-format error with the right status', () => {
  let p: Platform;
  let admin: ReturnType<typeof adminApi>;
  const chat = (key: string | null, body: unknown, headers?: Record<string, string>) => post(p.baseUrl, '/v1/chat/completions', key, body, headers);

  const scriptedChannel = (model: string, upstream: string, extra: Record<string, unknown> = {}) => createScripted(p, admin, model, upstream, extra);

  async function newKey(opts: { credit?: string; models?: string[]; rpm_limit?: number } = {}) {
    const acct = await admin<{ id: string }>('POST', '/admin/v1/accounts', { name: 'err-test', credit_usd: opts.credit ?? '5.00' });
    const key = await admin<{ id: string; key: string }>('POST', '/admin/v1/keys', {
      account_id: acct.body.id,
      ...(opts.models ? { models: opts.models } : {}),
      ...(opts.rpm_limit ? { rpm_limit: opts.rpm_limit } : {}),
    });
    return key.body;
  }

  before(async () => {
    p = await startPlatform('errors', { BODY_LIMIT_BYTES: '65536' });
    admin = adminApi(p);
  });
  after(async () => p?.stop());

  it('400 invalid_json for a malformed body', async () => {
    const r = await chat(p.key, '{"model": "deepseek-v3", "messages": [');
    assertOpenAiError(r, 400, 'invalid_json');
  });

  it('400 names the offending param for wrong types and missing fields', async () => {
    let r = await chat(p.key, { model: 'deepseek-v3', messages: user(), temperature: 'hot' });
    assertOpenAiError(r, 400, 'invalid_request');
    assert.equal(r.json.error!.param, 'temperature');
    r = await chat(p.key, { model: 'deepseek-v3' });
    assertOpenAiError(r, 400, 'invalid_request');
    assert.equal(r.json.error!.param, 'messages');
    r = await chat(p.key, { model: 'deepseek-v3', messages: [{ role: 'user', content: 42 }] });
    assert.equal(r.json.error!.param, 'messages[0].content');
    r = await chat(p.key, { model: 'deepseek-v3', messages: user(), x: 1 }, { 'x-tokenflow-timeout-ms': 'soon' });
    assert.equal(r.json.error!.param, 'x-tokenflow-timeout-ms');
  });

  it('401 invalid_api_key for a missing, unknown or revoked key — revoked on every replica within a second', async () => {
    assertOpenAiError(await chat(null, { model: 'deepseek-v3', messages: user() }), 401, 'invalid_api_key');
    assertOpenAiError(await chat('tf-' + 'x'.repeat(48), { model: 'deepseek-v3', messages: user() }), 401, 'invalid_api_key');
    const second = await p.extraIngress();
    try {
      const k = await newKey();
      const body = { model: 'deepseek-v3', messages: user() };
      // Both replicas now hold the key in their caches (60 s TTL): only the broadcast can evict it.
      assert.equal((await chat(k.key, body)).status, 200);
      assert.equal((await post(second.baseUrl, '/v1/chat/completions', k.key, body)).status, 200);
      const revoked = await admin('DELETE', `/admin/v1/keys/${k.id}`);
      assert.equal(revoked.status, 200);
      await waitFor(
        async () => (await chat(k.key, body)).status === 401 && (await post(second.baseUrl, '/v1/chat/completions', k.key, body)).status === 401,
        1_000,
        'the revocation on both replicas, within a second',
      );
      const r = await chat(k.key, body);
      assertOpenAiError(r, 401, 'invalid_api_key');
      assertOpenAiError(await post(second.baseUrl, '/v1/chat/completions', k.key, body), 401, 'invalid_api_key');
      assert.ok(!r.json.error!.message.includes(k.key), 'the key is never echoed whole');
    } finally {
      await second.stop();
    }
  });

  it('403 model_not_allowed for a model outside the key allow-list', async () => {
    const k = await newKey({ models: ['gpt-4o'] });
    assertOpenAiError(await chat(k.key, { model: 'deepseek-v3', messages: user() }), 403, 'model_not_allowed');
    assert.equal((await chat(k.key, { model: 'gpt-4o', messages: user() })).status, 200);
  });

  it('404 model_not_found for an unknown model', async () => {
    const r = await chat(p.key, { model: 'no-such-model', messages: user() });
    assertOpenAiError(r, 404, 'model_not_found');
    assert.equal(r.json.error!.param, 'model');
  });

  it('413 request_too_large over the body limit', async () => {
    assertOpenAiError(await chat(p.key, { model: 'deepseek-v3', messages: user('x'.repeat(70_000)) }), 413, 'request_too_large');
  });

  it('503 no_available_channel when every channel of a model is disabled, live, without restart', async () => {
    const channels = await admin<{ data: { id: string; name: string }[] }>('GET', '/admin/v1/channels');
    const openai = channels.body.data.find((c) => c.name === 'mock-openai')!;
    assert.equal((await admin('PATCH', `/admin/v1/channels/${openai.id}`, { enabled: false })).status, 200);
    assertOpenAiError(await chat(p.key, { model: 'gpt-4o', messages: user() }), 503, 'no_available_channel');
    await admin('PATCH', `/admin/v1/channels/${openai.id}`, { enabled: true });
    assert.equal((await chat(p.key, { model: 'gpt-4o', messages: user() })).status, 200);
  });

  it('502 upstream_error when the upstream fails, 429 with Retry-After when it rate-limits', async () => {
    await scriptedChannel('m-fail500', 'gpt-4o+fail=500');
    assertOpenAiError(await chat(p.key, { model: 'm-fail500', messages: user() }), 502, 'upstream_error');
    await scriptedChannel('m-fail429', 'gpt-4o+fail=429+retry-after=3');
    const r = await chat(p.key, { model: 'm-fail429', messages: user() });
    assertOpenAiError(r, 429, 'rate_limit_exceeded');
    assert.equal(r.headers.get('retry-after'), '3');
  });

  it('falls back to the next channel when a higher-priority one fails before the first byte', async () => {
    await scriptedChannel('m-fallback', 'gpt-4o+fail=500', { priority: 10 });
    await scriptedChannel('m-fallback', 'gpt-4o', { priority: 0 });
    const r = await chat(p.key, { model: 'm-fallback', messages: user() });
    assert.equal(r.status, 200, JSON.stringify(r.json));
  });

  it('504 upstream_timeout when the upstream is silent past its first-byte deadline', async () => {
    await scriptedChannel('m-silent', 'gpt-4o+fail=timeout', { first_byte_timeout_ms: 300 });
    const started = Date.now();
    assertOpenAiError(await chat(p.key, { model: 'm-silent', messages: user() }), 504, 'upstream_timeout');
    assert.ok(Date.now() - started < 5_000);
  });

  it('504 when the client lowers the overall deadline with x-tokenflow-timeout-ms', async () => {
    await scriptedChannel('m-slow', 'gpt-4o+ttft=3000');
    const started = Date.now();
    const r = await chat(p.key, { model: 'm-slow', messages: user() }, { 'x-tokenflow-timeout-ms': '400' });
    assertOpenAiError(r, 504, 'upstream_timeout');
    assert.ok(Date.now() - started < 2_500);
  });

  it('ends a started stream with an error event (never silently) on a mid-stream failure', async () => {
    await scriptedChannel('m-cut', 'gpt-4o+fail=disconnect+fail-after=3');
    await scriptedChannel('m-garbled', 'gpt-4o+fail=malformed+fail-after=2');
    await scriptedChannel('m-stall', 'gpt-4o+chunk-delay=3000+stall-at=2', { idle_timeout_ms: 300 });
    for (const [model, code] of [
      ['m-cut', 'upstream_error'],
      ['m-garbled', 'upstream_error'],
      ['m-stall', 'upstream_timeout'],
    ]) {
      const { status, events } = await streamEvents(p.baseUrl, p.key, { model, messages: user() });
      assert.equal(status, 200);
      assert.ok(events.length >= 2, `${model}: some chunks before the failure`);
      const last = events[events.length - 1] as { error?: { code: string } };
      assert.equal(last.error?.code, code, `${model}: ${JSON.stringify(last)}`);
      assert.ok(!events.includes('[DONE]'));
    }
  });

  it('429 rate_limit_exceeded past the key RPM, with Retry-After and x-ratelimit headers', async () => {
    const k = await newKey({ rpm_limit: 2 });
    const ok = await chat(k.key, { model: 'deepseek-v3', messages: user() });
    assert.equal(ok.headers.get('x-ratelimit-limit-requests'), '2');
    assert.equal(ok.headers.get('x-ratelimit-remaining-requests'), '1');
    await chat(k.key, { model: 'deepseek-v3', messages: user() });
    const r = await chat(k.key, { model: 'deepseek-v3', messages: user() });
    assertOpenAiError(r, 429, 'rate_limit_exceeded');
    assert.ok(Number(r.headers.get('retry-after')) >= 1);
    assert.match(r.json.error!.message, /^Rate limit exceeded\. Try again in \d+\.\ds\./);
    // The denial carries the limit's state too, as OpenAI's does.
    assert.deepEqual([r.headers.get('x-ratelimit-limit-requests'), r.headers.get('x-ratelimit-remaining-requests')], ['2', '0']);
  });

  it('429 insufficient_quota for an account without balance', async () => {
    const k = await newKey({ credit: '0' });
    const r = await chat(k.key, { model: 'deepseek-v3', messages: user() });
    assertOpenAiError(r, 429, 'insufficient_quota');
    assert.equal(r.json.error!.type, 'insufficient_quota');
  });

  it('admin API: 401 without the admin key, keys never shown, 404 for unknown ids', async () => {
    const r = await post(p.baseUrl, '/admin/v1/accounts', 'wrong-admin-key', { name: 'x' });
    assertOpenAiError(r, 401, 'invalid_admin_key');
    const list = await admin<{ data: Record<string, unknown>[] }>('GET', '/admin/v1/channels');
    assert.ok(list.body.data.length >= 6);
    assert.ok(list.body.data.every((c) => !('api_keys' in c) && typeof c.api_key_count === 'number'));
    assert.ok(!JSON.stringify(list.body).includes('sk-mock'));
    assert.equal((await admin('GET', '/admin/v1/channels/00000000-0000-4000-8000-000000000000')).status, 404);
    assert.equal((await admin('GET', '/admin/v1/accounts/not-a-uuid')).status, 404);
    const bad = await admin<{ error: { param: string } }>('POST', '/admin/v1/channels', { name: 'x', provider: 'nope' });
    assert.equal(bad.status, 400);
    assert.equal(bad.body.error.param, 'provider');
  });

  it('a channel write the database refuses: 500 or 400 for the admin, and no log line carries the channel keys', async () => {
    const channel = (name: string, key: string, extra: Record<string, unknown> = {}) => ({
      name,
      provider: 'openai-compatible',
      base_url: `${p.mockUrl}/v1`,
      api_keys: [key],
      models: [`m-${name}`],
      ...extra,
    });
    // Postgres refuses the row (a constraint, as a later migration might add): its error quotes the whole row,
    // keys included ("Failing row contains (…)"), and the failed query carries them as bound parameters.
    const refusedKey = 'sk-e2e-db-refused-0123456789';
    const db = new Client({ connectionString: p.databaseUrl });
    await db.connect();
    let refused: { status: number; body: { error: { code: string; message: string } } };
    try {
      await db.query(`ALTER TABLE routing.channels ADD CONSTRAINT e2e_refuse_row CHECK (name <> 'db-refused')`);
      refused = await admin('POST', '/admin/v1/channels', channel('db-refused', refusedKey));
    } finally {
      await db.query('ALTER TABLE routing.channels DROP CONSTRAINT IF EXISTS e2e_refuse_row');
      await db.end();
    }
    assert.equal(refused.status, 500, JSON.stringify(refused.body));
    assert.equal(refused.body.error.code, 'internal_error');
    assert.ok(!JSON.stringify(refused.body).includes(refusedKey));
    // Creates racing for one name: the unique index decides, and the losers get the same 400 as a plain duplicate.
    const racingKey = 'sk-e2e-db-race-0123456789';
    const race = await Promise.all(Array.from({ length: 6 }, () => admin<{ error?: { param: string } }>('POST', '/admin/v1/channels', channel('db-race', racingKey))));
    assert.deepEqual(race.map((r) => r.status).sort(), [201, 400, 400, 400, 400, 400]);
    assert.ok(race.every((r) => r.status === 201 || r.body.error?.param === 'name'));
    // The refusal was logged (the line that used to print the row), and no line holds either key.
    const logged = await waitFor(() => p.logs.find((l) => l.startsWith('[router]') && l.includes('handler failed') && l.includes('QueryFailedError')), 5_000, 'the router to log the refusal');
    assert.match(logged, /e2e_refuse_row/);
    assertNoUpstreamKeyLogged(p.logs, [refusedKey, racingKey]);
  });

  // Last: it re-routes the DeepSeek models to an unreachable real upstream.
  it('seeding again is idempotent, and a real upstream key in env replaces the mock channel', async () => {
    const before = await admin<{ data: { name: string }[] }>('GET', '/admin/v1/channels');
    const common = { ingressUrl: p.baseUrl, adminKey: p.adminKey, mockUrl: p.mockUrl, stateFile: join(mkdtempSync(join(tmpdir(), 'tf-seed-')), 's.json') };
    await seed({ ...common, env: {} });
    const again = await admin<{ data: { name: string }[] }>('GET', '/admin/v1/channels');
    assert.equal(again.body.data.length, before.body.data.length, 'no duplicate channels');
    await seed({ ...common, env: { DEEPSEEK_API_KEY: 'sk-real-deepseek-key' } });
    const after = await admin<{ data: { name: string; enabled: boolean; base_url: string; models: string[]; provider: string }[] }>('GET', '/admin/v1/channels');
    const real = after.body.data.find((c) => c.name === 'deepseek-env')!;
    assert.equal(real.base_url, 'https://api.deepseek.com');
    assert.equal(real.provider, 'deepseek');
    assert.deepEqual([...real.models].sort(), ['deepseek-r1', 'deepseek-v3']);
    assert.equal(after.body.data.find((c) => c.name === 'mock-deepseek')!.enabled, false);
    assert.ok(!JSON.stringify(after.body).includes('sk-real-deepseek-key'));
  });
});
