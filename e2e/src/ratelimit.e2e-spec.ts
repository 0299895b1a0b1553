import { strict as assert } from 'node:assert';
import { after, before, describe, it } from 'node:test';
import { testUrls, waitFor } from '@tokenflow/testing';
import { Redis } from 'ioredis';
import { escrowState, usageRows } from './support/ledger';
import { post } from './support/http';
import { adminApi, type Platform, startPlatform } from './support/platform';

describe('rate limits through three ingress replicas', () => {
  let p: Platform;
  let admin: ReturnType<typeof adminApi>;
  let urls: string[];
  const extras: { stop(): Promise<void> }[] = [];
  // Read-only look at the limiter's state in Redis, to wait for what the tests depend on instead of sleeping.
  const redis = new Redis(testUrls.redis, { lazyConnect: true });
  /** A key of one account's limits (`rl:v1` layout, apps/ratelimit/src/limits/buckets.ts). */
  const limiterKey = (accountId: string, rest: string) => `tf:${p.namespace}:rl:v1:{a:${accountId}}:${rest}`;

  before(async () => {
    p = await startPlatform('ratelimit');
    admin = adminApi(p);
    const [b, c] = await Promise.all([p.extraIngress(), p.extraIngress()]);
    extras.push(b, c);
    urls = [p.baseUrl, b.baseUrl, c.baseUrl];
  });
  after(async () => {
    await Promise.all(extras.map((e) => e.stop()));
    await p?.stop();
    redis.disconnect();
  });

  async function account(limits: Record<string, unknown> = {}, accountLimits: Record<string, unknown> = {}) {
    const acct = await admin<{ id: string }>('POST', '/admin/v1/accounts', { name: 'rl', credit_usd: '100', ...accountLimits });
    const key = await admin<{ id: string; key: string }>('POST', '/admin/v1/keys', { account_id: acct.body.id, ...limits });
    assert.equal(key.status, 201, JSON.stringify(key.body));
    return { accountId: acct.body.id, keyId: key.body.id, key: key.body.key };
  }
  const chat = (key: string, body: Record<string, unknown>, i = 0) => post(urls[i % urls.length], '/v1/chat/completions', key, body);
  const small = { model: 'deepseek-v3', max_tokens: 8, messages: [{ role: 'user', content: 'hi' }] };

  it('admits exactly 100 of 1,000 requests from a key with rpm=100, spread over three replicas, and bills only those', async () => {
    const { accountId, key } = await account({ rpm: 100 });
    const statuses: number[] = [];
    let next = 0;
    await Promise.all(
      Array.from({ length: 40 }, async () => {
        while (next < 1_000) {
          const i = next++;
          const r = await chat(key, small, i);
          statuses.push(r.status);
          if (r.status === 429) {
            assert.equal(r.json.error?.code, 'rate_limit_exceeded');
            assert.ok(Number(r.headers.get('retry-after')) >= 1);
            assert.equal(r.headers.get('x-ratelimit-remaining-requests'), '0');
          }
        }
      }),
    );
    assert.equal(statuses.filter((s) => s === 200).length, 100);
    assert.equal(statuses.filter((s) => s === 429).length, 900);
    // Nothing is charged, or even held, for a denied request: it never reaches billing.
    const rows = await waitFor(async () => {
      const r = await usageRows(p.databaseUrl, accountId);
      return r.length >= 100 ? r : null;
    }, 15_000, 'the admitted requests settled');
    assert.equal(rows.length, 100);
    const escrow = await waitFor(async () => {
      const e = await escrowState(p.databaseUrl, accountId);
      return e.open === 0 && e.releases === e.holds ? e : null;
    }, 15_000, 'holds closed');
    assert.equal(escrow.holds, 100);
  });

  it('reserves TPM for the longest possible answer and gives back what a stream did not use', async () => {
    // Each request reserves prompt + max_tokens (~250 tokens); 8 of them would need 2,000 of a 1,000 TPM budget.
    const { accountId, key } = await account({ rpm: 1_000, tpm: 1_000 });
    const remaining: number[] = [];
    for (let i = 0; i < 8; i++) {
      const res = await fetch(`${urls[i % 3]}/v1/chat/completions`, {
        method: 'POST',
        headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
        body: JSON.stringify({ model: 'deepseek-v3', stream: true, max_tokens: 200, messages: [{ role: 'user', content: `tpm ${i}` }] }),
      });
      assert.equal(res.status, 200, await res.clone().text());
      assert.equal(res.headers.get('x-ratelimit-limit-tokens'), '1000');
      remaining.push(Number(res.headers.get('x-ratelimit-remaining-tokens')));
      await res.text();
      // The correction arrives through the usage event (JetStream) a few milliseconds after the stream ends; the
      // first correction marks the request's reservation `settled`.
      const reservation = limiterKey(accountId, `res:${res.headers.get('x-request-id')}`);
      await waitFor(async () => (await redis.hget(reservation, 'settled')) === '1', 10_000, `TPM correction of request ${i}`);
    }
    assert.ok(remaining[7] > 1_000 - 2 * 260, `the earlier streams' unused reservations came back (${remaining.join(', ')})`);
  });

  /** A channel whose upstream answers after `ttft` ms, for requests that stay in flight. */
  async function slowModel(model: string, ttft: number) {
    await admin('POST', '/admin/v1/channels', {
      name: `ch-${model}`,
      provider: 'openai-compatible',
      base_url: `${p.mockUrl}/v1`,
      api_keys: ['sk-mock'],
      models: [model],
      model_mapping: { [model]: `deepseek-v3+ttft=${ttft}` },
    });
    await admin('PUT', `/admin/v1/models/${model}/price`, { input_usd_per_mtok: '1.00', output_usd_per_mtok: '1.00' });
  }

  it('caps requests in flight, and frees each slot on every exit path: success, error, client disconnect', async () => {
    await slowModel('m-slow', 600);
    const { accountId, keyId, key } = await account({ max_concurrency: 2 });
    const slow = { ...small, model: 'm-slow' };
    const statuses = await Promise.all(Array.from({ length: 6 }, (_, i) => chat(key, slow, i).then((r) => r.status)));
    assert.deepEqual(statuses.sort(), [200, 200, 429, 429, 429, 429]);
    // Both slots are free again after success.
    assert.deepEqual((await Promise.all([chat(key, small, 0), chat(key, small, 1)])).map((r) => r.status), [200, 200]);
    // A client that goes away frees its slot too.
    const slots = limiterKey(accountId, `k:${keyId}:c`);
    const earlier = new Set(await redis.zrange(slots, 0, -1));
    const gone = new AbortController();
    const pending = fetch(`${urls[2]}/v1/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
      body: JSON.stringify({ ...slow, stream: true }),
      signal: gone.signal,
    }).catch(() => null);
    // Disconnect only once it holds a slot (before its first byte: the upstream takes 600 ms to answer).
    await waitFor(async () => (await redis.zrange(slots, 0, -1)).some((id) => !earlier.has(id)), 5_000, 'the request to take a slot');
    gone.abort();
    await pending;
    await waitFor(async () => {
      const both = await Promise.all([chat(key, slow, 0), chat(key, slow, 1)]);
      return both.every((r) => r.status === 200);
    }, 5_000, 'the disconnected request freed its slot');
    // An error before any output (unknown upstream failure) frees it as well.
    await admin('POST', '/admin/v1/channels', {
      name: 'ch-m-broken',
      provider: 'openai-compatible',
      base_url: `${p.mockUrl}/v1`,
      api_keys: ['sk-mock'],
      models: ['m-broken'],
      model_mapping: { 'm-broken': 'deepseek-v3+fail=500' },
    });
    await admin('PUT', '/admin/v1/models/m-broken/price', { input_usd_per_mtok: '1.00', output_usd_per_mtok: '1.00' });
    // 502 while its channel is tried, 503 once its breaker opened: either way an error before any output.
    for (let i = 0; i < 3; i++) assert.ok([502, 503].includes((await chat(key, { ...small, model: 'm-broken' }, i)).status));
    assert.deepEqual((await Promise.all([chat(key, small, 0), chat(key, small, 1)])).map((r) => r.status), [200, 200]);
  });

  it('shares an account limit between its keys, and applies limit changes live on every replica', async () => {
    const { accountId, key } = await account({}, { rpm: 3 });
    const other = await admin<{ key: string }>('POST', '/admin/v1/keys', { account_id: accountId });
    const statuses = [];
    for (let i = 0; i < 4; i++) statuses.push((await chat(i % 2 ? other.body.key : key, small, i)).status);
    assert.deepEqual(statuses, [200, 200, 200, 429]);
    const denied = await chat(key, small, 1);
    assert.match(denied.json.error!.message, /Limit: 3 requests per minute for this account\./);
    const patched = await admin<{ rate_limits: { rpm: number } }>('PATCH', `/admin/v1/accounts/${accountId}`, { rpm: 10 });
    assert.equal(patched.body.rate_limits.rpm, 10);
    await waitFor(async () => (await chat(key, small, 2)).status === 200, 3_000, 'the raised limit, on another replica');
    const bad = await admin<{ error: { param: string } }>('PATCH', `/admin/v1/accounts/${accountId}`, { rpm: -1 });
    assert.deepEqual([bad.status, bad.body.error.param], [400, 'rpm']);
  });

  it('limits a key per model, and says which limit was hit', async () => {
    const { keyId, key } = await account({ rpm: 100, model_limits: { 'gpt-4o': { rpm: 1 } } });
    assert.equal((await chat(key, { ...small, model: 'gpt-4o' }, 0)).status, 200);
    const r = await chat(key, { ...small, model: 'gpt-4o' }, 1);
    assert.equal(r.status, 429);
    assert.match(r.json.error!.message, /Limit: 1 requests per minute for this API key on gpt-4o\./);
    assert.equal((await chat(key, small, 2)).status, 200, 'other models keep the key limit');
    const patched = await admin<{ rate_limits: { rpm: number; model_limits: unknown } }>('PATCH', `/admin/v1/keys/${keyId}`, { model_limits: null });
    assert.deepEqual([patched.body.rate_limits.rpm, patched.body.rate_limits.model_limits], [100, null]);
    await waitFor(async () => (await chat(key, { ...small, model: 'gpt-4o' }, 0)).status === 200, 3_000, 'the model limit removed');
  });

  it("keeps each upstream key under its provider quota: falls back to the next channel, and 429s when all are full", async () => {
    const channel = (name: string, provider: string, priority: number, keyLimits: unknown) =>
      admin('POST', '/admin/v1/channels', {
        name,
        provider,
        base_url: `${p.mockUrl}/v1`,
        api_keys: ['sk-quota'],
        models: ['m-quota'],
        model_mapping: { 'm-quota': 'deepseek-v3' },
        priority,
        key_limits: keyLimits,
      });
    const limited = await channel('ch-quota', 'deepseek', 10, { rpm: 2 });
    assert.deepEqual((limited.body as { key_limits: unknown }).key_limits, { rpm: 2 });
    await admin('PUT', '/admin/v1/models/m-quota/price', { input_usd_per_mtok: '1.00', output_usd_per_mtok: '1.00' });
    const { key } = await account({ rpm: 100 });
    const ask = async (i: number) => {
      const r = await chat(key, { ...small, model: 'm-quota' }, i);
      return r.status === 200 ? r.headers.get('x-tokenflow-provider') : `${r.status} ${r.json.error?.code}`;
    };
    // Two requests a minute on that key, whichever gateway replica sends them; the third has nowhere to go.
    assert.deepEqual([await ask(0), await ask(1), await ask(2)], ['deepseek', 'deepseek', '429 rate_limit_exceeded']);
    // With a second channel, the saturated key's requests fall back to it instead.
    await channel('ch-quota-spare', 'openai-compatible', 0, null);
    assert.deepEqual([await ask(0), await ask(1)], ['openai-compatible', 'openai-compatible']);
  });
});
