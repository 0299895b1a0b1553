import { strict as assert } from 'node:assert';
import { after, before, describe, it } from 'node:test';
import { type LedgerVerifyReply, nanoToUsd } from '@tokenflow/contracts';
import { testUrls, waitFor } from '@tokenflow/testing';
import { Redis } from 'ioredis';
import { balanceNano, usageRows, withDb } from './support/ledger';
import { post } from './support/http';
import { adminApi, type Platform, startPlatform } from './support/platform';

describe('holds, prices and cost reporting', () => {
  let p: Platform;
  let admin: ReturnType<typeof adminApi>;

  before(async () => {
    p = await startPlatform('accounting');
    admin = adminApi(p);
  });
  after(async () => p?.stop());

  async function account(credit: string) {
    const acct = await admin<{ id: string }>('POST', '/admin/v1/accounts', { name: 'acct-test', credit_usd: credit });
    const key = await admin<{ key: string }>('POST', '/admin/v1/keys', { account_id: acct.body.id, rpm_limit: 1_000_000 });
    return { accountId: acct.body.id, key: key.body.key };
  }
  const chat = (key: string, body: Record<string, unknown>) => post(p.baseUrl, '/v1/chat/completions', key, body);

  /** A channel for `model` on the mock with scripted behaviour, and its price (USD per 1M tokens). */
  async function pricedChannel(model: string, upstream: string, input = '1.00', output = input) {
    await admin('POST', '/admin/v1/channels', {
      name: `ch-${model}`,
      provider: 'openai-compatible',
      base_url: `${p.mockUrl}/v1`,
      api_keys: ['sk-mock'],
      models: [model],
      model_mapping: { [model]: upstream },
    });
    await admin('PUT', `/admin/v1/models/${model}/price`, { input_usd_per_mtok: input, output_usd_per_mtok: output });
  }

  /** Waits until settlement has written exactly `n` usage entries for the account. */
  const settled = (accountId: string, n: number) =>
    waitFor(async () => {
      const rows = await usageRows(p.databaseUrl, accountId);
      return rows.length === n ? rows : null;
    }, 10_000, `${n} ledger entries`);
  const small = { model: 'gpt-4o', max_tokens: 16, messages: [{ role: 'user', content: 'hi' }] };

  it('admits at most what the balance covers under 200 concurrent requests, and never overdraws', async () => {
    // One request's hold: ~26 prompt tokens × 2500 + 16 × 10000 ≈ 0.000225 USD; $0.01 covers ~44 at once.
    const { accountId, key } = await account('0.01');
    const results = await Promise.all(Array.from({ length: 200 }, () => chat(key, small)));
    const ok = results.filter((r) => r.status === 200).length;
    const refused = results.filter((r) => r.status === 429 && r.json.error?.code === 'insufficient_quota').length;
    assert.equal(ok + refused, 200, 'every request either served or refused for quota');
    // Requests that finish early settle below their hold and free money for later ones, so more than 50 may be
    // served; what must hold is that the account is never charged past what it had.
    assert.ok(ok > 0 && refused > 0, `admitted ${ok}, refused ${refused}`);
    const rows = await waitFor(async () => {
      const r = await usageRows(p.databaseUrl, accountId);
      return r.length === ok ? r : null;
    }, 10_000, 'all settled');
    const charged = rows.reduce((sum, r) => sum - BigInt(r.amount_nano), 0n);
    assert.ok(charged <= 10_000_000n, `charged ${charged} nano-USD of 10,000,000`);
    assert.equal(await balanceNano(p.databaseUrl, accountId), 10_000_000n - charged);
  });

  it('gives the hold back when the request fails before any output', async () => {
    await pricedChannel('m-broken', 'gpt-4o+fail=500', '2.50', '10.00');
    // Enough for exactly one hold of this size at a time.
    const { key } = await account('0.0003');
    // The first fails after its hold was placed; later ones may meet the open breaker (503 before any hold).
    assert.equal((await chat(key, { ...small, model: 'm-broken' })).status, 502);
    for (let i = 0; i < 2; i++) assert.ok([502, 503].includes((await chat(key, { ...small, model: 'm-broken' })).status));
    const ok = await waitFor(async () => {
      const r = await chat(key, small);
      return r.status === 200 ? r : null;
    }, 10_000, 'a released hold to be spendable again');
    assert.equal(ok.status, 200);
  });

  it('reports the cost of each request in a header (and a final SSE comment), equal to what the ledger charged', async () => {
    const { accountId, key } = await account('1.00');
    const r = await chat(key, small);
    const cost = r.headers.get('x-tokenflow-cost-usd');
    assert.match(cost ?? '', /^\d+\.\d+$/);
    const usage = r.json.usage as { prompt_tokens: number; completion_tokens: number };
    const expectedNano = BigInt(usage.prompt_tokens) * 2500n + BigInt(usage.completion_tokens) * 10000n;
    const rows = await settled(accountId, 1);
    assert.equal(-BigInt(rows[0].amount_nano), expectedNano);
    assert.equal(r.headers.get('x-tokenflow-model'), 'gpt-4o');
    assert.equal(r.headers.get('x-tokenflow-provider'), 'openai');

    const res = await fetch(`${p.baseUrl}/v1/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
      body: JSON.stringify({ ...small, stream: true }),
    });
    const text = await res.text();
    assert.match(text, /\n: x-tokenflow-cost-usd=\d+\.\d+\n\ndata: \[DONE\]\n\n$/);
  });

  it('shows prices on GET /v1/models/{id} and bills new requests at a changed price', async () => {
    const { key } = await account('1.00');
    const card = (await (await fetch(`${p.baseUrl}/v1/models/qwen-max`, { headers: { authorization: `Bearer ${key}` } })).json()) as {
      pricing: { input_usd_per_mtok: string; output_usd_per_mtok: string };
    };
    assert.deepEqual(card.pricing, { input_usd_per_mtok: '0.16', output_usd_per_mtok: '0.64' });
    const set = await admin<{ input_usd_per_mtok: string }>('PUT', '/admin/v1/models/qwen-max/price', { input_usd_per_mtok: '1.00', output_usd_per_mtok: '1.00' });
    assert.equal(set.status, 200);
    assert.equal(set.body.input_usd_per_mtok, '1.00');
    const r = await chat(key, { ...small, model: 'qwen-max' });
    const usage = r.json.usage as { total_tokens: number };
    assert.equal(r.headers.get('x-tokenflow-cost-usd'), (usage.total_tokens / 1_000_000).toFixed(6).replace(/0+$/, '').replace(/\.(\d)$/, '.$10'));
    const bad = await admin<{ error: { param: string } }>('PUT', '/admin/v1/models/qwen-max/price', { input_usd_per_mtok: 'free', output_usd_per_mtok: '1' });
    assert.equal(bad.status, 400);
    assert.equal(bad.body.error.param, 'input_usd_per_mtok');
  });

  it('refuses a model that has no price instead of billing it at a made-up rate', async () => {
    await admin('POST', '/admin/v1/channels', {
      name: 'unpriced',
      provider: 'openai-compatible',
      base_url: `${p.mockUrl}/v1`,
      api_keys: ['sk-mock'],
      models: ['m-unpriced'],
    });
    const { key } = await account('1.00');
    const r = await chat(key, { ...small, model: 'm-unpriced' });
    assert.equal(r.status, 503);
    assert.equal(r.json.error?.code, 'model_not_priced');
  });

  it('tops up once per Idempotency-Key, and the new money is spendable at once', async () => {
    const { accountId, key } = await account('0');
    assert.equal((await chat(key, small)).status, 429);
    const credit = (idem: string) =>
      fetch(`${p.baseUrl}/admin/v1/accounts/${accountId}/credits`, {
        method: 'POST',
        headers: { authorization: `Bearer ${p.adminKey}`, 'content-type': 'application/json', 'idempotency-key': idem },
        body: JSON.stringify({ amount_usd: '2.50', note: 'invoice 42' }),
      }).then(async (r) => ({ status: r.status, body: (await r.json()) as { applied: boolean; account: { balance_usd: string } } }));
    const first = await credit('inv-42');
    assert.equal(first.status, 200);
    assert.deepEqual([first.body.applied, first.body.account.balance_usd], [true, '2.50']);
    const again = await credit('inv-42');
    assert.deepEqual([again.body.applied, again.body.account.balance_usd], [false, '2.50']);
    assert.equal((await chat(key, small)).status, 200);
    const bad = await admin<{ error: { param: string } }>('POST', `/admin/v1/accounts/${accountId}/credits`, { amount_usd: '-1' });
    assert.equal(bad.status, 400);
    assert.equal(bad.body.error.param, 'amount_usd');
    assert.equal((await admin('POST', '/admin/v1/accounts/00000000-0000-4000-8000-000000000000/credits', { amount_usd: '1' })).status, 404);
  });

  it('lets a postpaid account spend down to its credit limit', async () => {
    const acct = await admin<{ id: string; credit_limit_usd: string }>('POST', '/admin/v1/accounts', { name: 'postpaid', credit_limit_usd: '1.00' });
    assert.equal(acct.body.credit_limit_usd, '1.00');
    const key = await admin<{ key: string }>('POST', '/admin/v1/keys', { account_id: acct.body.id });
    assert.equal((await chat(key.body.key, small)).status, 200);
  });

  it('records refunds and adjustments as new ledger entries, once per Idempotency-Key', async () => {
    const { accountId } = await account('1.00');
    const adjust = (body: Record<string, unknown>, idem: string) =>
      fetch(`${p.baseUrl}/admin/v1/accounts/${accountId}/adjustments`, {
        method: 'POST',
        headers: { authorization: `Bearer ${p.adminKey}`, 'content-type': 'application/json', 'idempotency-key': idem },
        body: JSON.stringify(body),
      }).then(async (r) => ({ status: r.status, body: (await r.json()) as { applied: boolean; account: { balance_usd: string }; error?: { param: string } } }));
    const refund = await adjust({ kind: 'refund', amount_usd: '0.25', note: 'outage credit' }, 'r1');
    assert.deepEqual([refund.status, refund.body.applied, refund.body.account.balance_usd], [200, true, '1.25']);
    assert.equal((await adjust({ kind: 'refund', amount_usd: '0.25', note: 'outage credit' }, 'r1')).body.applied, false);
    const debit = await adjust({ kind: 'adjustment', amount_usd: '-0.05', note: 'manual correction' }, 'a1');
    assert.equal(debit.body.account.balance_usd, '1.20');
    assert.equal((await adjust({ kind: 'refund', amount_usd: '-1', note: 'x' }, 'r2')).status, 400);
    assert.equal((await adjust({ kind: 'adjustment', amount_usd: '1' }, 'a2')).body.error?.param, 'note');
    const sides = await withDb(p.databaseUrl, (c) =>
      c.query(`SELECT kind, debit_account, credit_account FROM billing.ledger_entries WHERE account_id = $1 AND kind <> 'top_up' ORDER BY id`, [accountId]),
    );
    assert.deepEqual(sides.rows, [
      { kind: 'refund', debit_account: 'system:revenue', credit_account: `account:${accountId}` },
      { kind: 'adjustment', debit_account: `account:${accountId}`, credit_account: 'system:adjustments' },
    ]);
  });

  it('bills a request at the price in force when it started, even if the price changes mid-stream', async () => {
    await pricedChannel('m-slow-priced', 'gpt-4o+tokens=40+tps=40');
    const { accountId, key } = await account('1.00');
    const pending = chat(key, { model: 'm-slow-priced', messages: [{ role: 'user', content: 'slow' }] });
    // Change the price only once the request holds its money: its quote was taken with the hold.
    const redis = new Redis(testUrls.redis);
    try {
      const held = async () => BigInt((await redis.hget(`tf:${p.namespace}:{a:${accountId}}:bal`, 'held')) ?? '0');
      await waitFor(async () => (await held()) > 0n, 5_000, 'the request to hold its maximum cost');
    } finally {
      redis.disconnect();
    }
    await admin('PUT', '/admin/v1/models/m-slow-priced/price', { input_usd_per_mtok: '50.00', output_usd_per_mtok: '50.00' });
    const r = await pending;
    assert.equal(r.status, 200);
    const rows = await settled(accountId, 1);
    const usage = r.json.usage as { total_tokens: number };
    assert.equal(-BigInt(rows[0].amount_nano), BigInt(usage.total_tokens) * 1_000n, 'billed at $1/M, the price at the start');
  });

  it('bills streams without upstream usage from a local token count', async () => {
    await pricedChannel('m-no-usage', 'gpt-4o+usage=none');
    const { accountId, key } = await account('1.00');
    const res = await fetch(`${p.baseUrl}/v1/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'm-no-usage', stream: true, stream_options: { include_usage: true }, messages: [{ role: 'user', content: 'count me' }] }),
    });
    const text = await res.text();
    const usageChunk = text
      .split('\n\n')
      .filter((b) => b.startsWith('data: {'))
      .map((b) => JSON.parse(b.slice(6)) as { usage?: { completion_tokens: number } | null })
      .find((c) => c.usage);
    assert.ok(usageChunk?.usage && usageChunk.usage.completion_tokens > 0, 'the client still gets usage, counted locally');
    const rows = await settled(accountId, 1);
    assert.equal(rows[0].completion_tokens, usageChunk.usage.completion_tokens);
    assert.ok(rows[0].prompt_tokens > 0);
  });

  it('verifies the ledger invariants, and notices a balance that does not match its ledger', async () => {
    // The earlier tests' holds are closed by settlement, asynchronously: check once none is left open.
    const report = await waitFor(async () => {
      const r = await admin<LedgerVerifyReply>('GET', '/admin/v1/ledger/verify');
      return r.status === 200 && r.body.open_holds === 0 ? r : null;
    }, 10_000, 'every earlier hold closed');
    assert.equal(report.body.ok, true, JSON.stringify(report.body));
    assert.ok(report.body.usage_events_checked > 0);
    assert.equal(report.body.postings_sum_nano, '0');
    // Every request so far has finished: no hold is left open, so nothing is in escrow.
    assert.deepEqual([report.body.open_holds, report.body.open_holds_nano, report.body.escrow_mismatches, report.body.stale_holds], [0, '0', [], []]);
    const { accountId } = await account('1.00');
    await withDb(p.databaseUrl, (c) => c.query(`UPDATE billing.accounts SET balance_nano = balance_nano + 1 WHERE id = $1`, [accountId]));
    const broken = await admin<{ ok: boolean; balance_mismatches: { account_id: string }[] }>('GET', '/admin/v1/ledger/verify');
    assert.equal(broken.body.ok, false);
    assert.deepEqual(broken.body.balance_mismatches.map((m) => m.account_id), [accountId]);
    await withDb(p.databaseUrl, (c) => c.query(`UPDATE billing.accounts SET balance_nano = balance_nano - 1 WHERE id = $1`, [accountId]));
    // An open hold with no escrow behind it, left open for an hour, is caught twice. (Its Redis twin keeps the
    // expiry job from closing it as lost while we look.)
    const redis = new Redis(testUrls.redis);
    const twin = `tf:${p.namespace}:{a:${accountId}}:hold:req_forged`;
    await redis.set(twin, '5|0');
    await withDb(p.databaseUrl, (c) =>
      c.query(`INSERT INTO billing.open_holds (request_id, account_id, amount_nano, created_at) VALUES ('req_forged', $1, 5, now() - interval '1 hour')`, [accountId]),
    );
    const forged = await admin<LedgerVerifyReply>('GET', '/admin/v1/ledger/verify');
    await withDb(p.databaseUrl, (c) => c.query(`DELETE FROM billing.open_holds WHERE request_id = 'req_forged'`));
    await redis.del(twin);
    redis.disconnect();
    assert.equal(forged.body.ok, false);
    assert.deepEqual(forged.body.escrow_mismatches, [{ account_id: accountId, escrow_nano: '0', open_holds_nano: '5' }]);
    assert.deepEqual(forged.body.stale_holds, ['req_forged']);
  });

  it('reports usage from the ledger, grouped, and shows a key holder only its own key', async () => {
    const { accountId, key } = await account('1.00');
    for (const model of ['gpt-4o', 'gpt-4o', 'deepseek-v3']) assert.equal((await chat(key, { ...small, model })).status, 200);
    await waitFor(async () => (await usageRows(p.databaseUrl, accountId)).length === 3, 10_000, 'settled');
    const report = await admin<{ data: { group: string; requests: number; cost_usd: string }[]; total: { requests: number; cost_usd: string } }>(
      'GET',
      `/admin/v1/usage?account_id=${accountId}&group_by=model`,
    );
    assert.equal(report.status, 200);
    assert.deepEqual(report.body.data.map((r) => [r.group, r.requests]), [['deepseek-v3', 1], ['gpt-4o', 2]]);
    assert.equal(report.body.total.requests, 3);
    const charged = (await usageRows(p.databaseUrl, accountId)).reduce((s, r) => s - BigInt(r.amount_nano), 0n);
    assert.equal(report.body.total.cost_usd, nanoToUsd(charged));
    const byDay = await admin<{ data: { group: string }[] }>('GET', `/admin/v1/usage?account_id=${accountId}&group_by=day`);
    assert.match(byDay.body.data[0].group, /^\d{4}-\d{2}-\d{2}$/);
    assert.equal((await admin('GET', '/admin/v1/usage?group_by=week')).status, 400);

    const mine = (await (await fetch(`${p.baseUrl}/v1/key`, { headers: { authorization: `Bearer ${key}` } })).json()) as {
      object: string;
      spend_usd: { total: string; today: string };
      account: { balance_usd: string };
    };
    assert.equal(mine.object, 'key');
    assert.equal(mine.spend_usd.total, nanoToUsd(charged));
    assert.equal(mine.spend_usd.today, nanoToUsd(charged));
    assert.equal(mine.account.balance_usd, nanoToUsd(1_000_000_000n - charged));
    assert.ok(!JSON.stringify(mine).includes(accountId), 'no internal ids of the account');
    assert.equal((await fetch(`${p.baseUrl}/v1/key`)).status, 401);
  });

  it('enforces a key budget and expiry, and shows the budget to the key holder', async () => {
    const acct = await admin<{ id: string }>('POST', '/admin/v1/accounts', { name: 'budget-owner', credit_usd: '100.00' });
    // One hold here is ~0.000225 USD; a $0.001 daily budget admits a handful of requests, then refuses.
    const key = await admin<{ key: string; budget_usd: string; budget_period: string }>('POST', '/admin/v1/keys', {
      account_id: acct.body.id,
      budget_usd: '0.001',
      budget_period: 'daily',
    });
    assert.deepEqual([key.body.budget_usd, key.body.budget_period], ['0.001', 'daily']);
    let served = 0;
    let refusal: Awaited<ReturnType<typeof chat>> | null = null;
    for (let i = 0; i < 30 && !refusal; i++) {
      const r = await chat(key.body.key, small);
      if (r.status === 200) served++;
      else refusal = r;
    }
    assert.ok(served >= 3 && refusal, `served ${served} before the budget refused`);
    assert.equal(refusal!.status, 429);
    assert.equal(refusal!.json.error?.code, 'insufficient_quota');
    assert.match(refusal!.json.error!.message, /daily budget/);
    type Info = { budget: { limit_usd: string; period: string; remaining_usd: string } };
    const keyInfo = async () =>
      (await (await fetch(`${p.baseUrl}/v1/key`, { headers: { authorization: `Bearer ${key.body.key}` } })).json()) as Info;
    // Spend comes from the ledger, so it shows once the requests are settled.
    const info = await waitFor(async () => {
      const i = await keyInfo();
      return Number(i.budget.remaining_usd) < 0.001 ? i : null;
    }, 10_000, 'settled spend on /v1/key');
    assert.deepEqual([info.budget.limit_usd, info.budget.period], ['0.001', 'daily']);

    const expired = await admin<{ key: string }>('POST', '/admin/v1/keys', { account_id: acct.body.id, expires_at: '2020-01-01T00:00:00Z' });
    const r = await chat(expired.body.key, small);
    assert.equal(r.status, 401);
    assert.match(r.json.error!.message, /expired/);
  });
});
