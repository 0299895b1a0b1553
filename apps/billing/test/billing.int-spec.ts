import { strict as assert } from 'node:assert';
import { after, before, describe, it } from 'node:test';
import type { INestApplicationContext } from '@nestjs/common';
import { ensureDatabase } from '@tokenflow/config';
import { generateApiKey, hashApiKey, Streams, Subjects, TfError, type UsageRecordedEvent } from '@tokenflow/contracts';
import { NatsBus } from '@tokenflow/messaging';
import { testNamespace, testUrls, waitFor } from '@tokenflow/testing';
import { DataSource } from 'typeorm';
import { createBillingApp } from '../src/billing.app';
import { BalanceCache } from '../src/holds/balance-cache';
import { KeysRepository } from '../src/keys/keys.repository';
import { billingEnvSchema } from '../src/config';
import { runBillingMigrations } from '../src/db/data-source';

describe('billing service (real NATS + Postgres)', () => {
  const ns = testNamespace('billing');
  let app: INestApplicationContext;
  let bus: NatsBus;
  let db: DataSource;

  before(async () => {
    await ensureDatabase(testUrls.database);
    await runBillingMigrations(testUrls.database);
    app = await createBillingApp(
      billingEnvSchema.parse({
        NATS_URL: testUrls.nats,
        DATABASE_URL: testUrls.database,
        REDIS_URL: testUrls.redis,
        TF_NAMESPACE: ns,
        DB_POOL_SIZE: '4',
        HOLD_TTL_MS: '1500',
        HOLD_SWEEP_MS: '200',
        HOLD_LOST_GRACE_MS: '300',
      }),
    );
    bus = await NatsBus.connect({ url: testUrls.nats, name: 'billing-test', namespace: ns });
    db = app.get(DataSource);
  });
  after(async () => {
    await app.close();
    for (const stream of Object.values(Streams)) await bus.durable.deleteStream(stream.name);
    await bus.close();
  });

  const balance = async (id: string) =>
    BigInt((await db.query(`SELECT balance_nano::text AS b FROM billing.accounts WHERE id = $1`, [id]))[0].b);

  it('creates an account with an opening credit recorded in the ledger', async () => {
    const acct = await bus.request(Subjects.billingAccountCreate, { name: 'acme', credit_usd: '12.5' });
    assert.equal(acct.balance_usd, '12.50');
    const rows = await db.query(`SELECT kind, amount_nano::text AS a FROM billing.ledger_entries WHERE account_id = $1`, [acct.id]);
    assert.deepEqual(rows, [{ kind: 'top_up', a: '12500000000' }]);
    assert.deepEqual(await bus.request(Subjects.billingAccountGet, { id: acct.id }), acct);
    await assert.rejects(bus.request(Subjects.billingAccountGet, { id: 'nope' }), (e: unknown) => e instanceof TfError && e.status === 404);
  });

  it('issues keys stored only as hashes, authenticates them, and revokes with a broadcast', async () => {
    const acct = await bus.request(Subjects.billingAccountCreate, { name: 'keys' });
    const changes: string[] = [];
    bus.on(Subjects.billingKeyChanged, (ev) => void changes.push(ev.change));
    await bus.flush();
    const k = await bus.request(Subjects.billingKeyCreate, { account_id: acct.id, models: ['gpt-4o'], rpm_limit: 5 });
    assert.match(k.key, /^tf-[0-9A-Za-z]{48}$/);
    const stored = await db.query(`SELECT key_hash FROM billing.api_keys WHERE id = $1`, [k.id]);
    assert.equal(stored[0].key_hash, hashApiKey(k.key));
    const auth = await bus.request(Subjects.billingAuth, { keyHash: hashApiKey(k.key) });
    assert.deepEqual(auth.principal, { keyId: k.id, accountId: acct.id, name: null, models: ['gpt-4o'], fallbacks: null, limits: { rpm: 5, tpm: null, maxConcurrency: null, models: null }, accountLimits: null, expiresAt: null, budget: null, logContent: false });
    await bus.request(Subjects.billingKeyRevoke, { id: k.id });
    assert.equal((await bus.request(Subjects.billingAuth, { keyHash: hashApiKey(k.key) })).principal, null);
    await waitFor(() => changes.length === 2, 2_000, 'key-changed events');
    assert.deepEqual(changes, ['created', 'revoked']);
    await assert.rejects(bus.request(Subjects.billingKeyCreate, { account_id: '00000000-0000-4000-8000-000000000000' }), TfError);
  });

  it("keeps a key's fallback chain: set at creation, changed and cleared by updates that are broadcast, carried by the principal", async () => {
    const acct = await bus.request(Subjects.billingAccountCreate, { name: 'fallbacks' });
    // Outside the key's `models` on purpose: the router filters at request time, billing stores the chain as given.
    const k = await bus.request(Subjects.billingKeyCreate, { account_id: acct.id, models: ['gpt-4o'], fallbacks: ['deepseek-v3', 'gpt-4o-mini'], rpm: 9 });
    const keyHash = hashApiKey(k.key);
    const principal = async () => (await bus.request(Subjects.billingAuth, { keyHash })).principal;
    const updates: string[] = [];
    bus.on(Subjects.billingKeyChanged, (ev) => void (ev.keyId === k.id && ev.keyHash === keyHash && updates.push(ev.change)));
    await bus.flush();

    assert.deepEqual(k.fallbacks, ['deepseek-v3', 'gpt-4o-mini']);
    assert.deepEqual((await db.query(`SELECT fallbacks FROM billing.api_keys WHERE id = $1`, [k.id]))[0].fallbacks, ['deepseek-v3', 'gpt-4o-mini']);
    assert.deepEqual((await principal())?.fallbacks, ['deepseek-v3', 'gpt-4o-mini'], 'order kept');

    const changed = await bus.request(Subjects.billingKeyUpdate, { id: k.id, fallbacks: ['qwen-max'] });
    assert.deepEqual(changed.fallbacks, ['qwen-max']);
    assert.equal(changed.rate_limits.rpm, 9, 'a fallbacks-only update keeps the rate limits');
    assert.deepEqual((await principal())?.fallbacks, ['qwen-max']);

    const limitsOnly = await bus.request(Subjects.billingKeyUpdate, { id: k.id, rpm: 12 });
    assert.deepEqual(limitsOnly.fallbacks, ['qwen-max'], 'a rate-limits-only update keeps the chain');

    const cleared = await bus.request(Subjects.billingKeyUpdate, { id: k.id, fallbacks: null });
    assert.equal(cleared.fallbacks, null, 'null: back to the catalog chain');
    assert.equal((await principal())?.fallbacks, null);
    // Ingress drops its cached principal on each of these: without them it would keep serving the old chain.
    await waitFor(() => updates.length === 3, 2_000, 'key-changed events for the updates');
    assert.deepEqual(updates, ['updated', 'updated', 'updated']);

    // [] is kept as given: no fallback at all, which is not the catalog's chain (null).
    const none = await bus.request(Subjects.billingKeyCreate, { account_id: acct.id, fallbacks: [] });
    assert.deepEqual(none.fallbacks, []);
    assert.deepEqual((await bus.request(Subjects.billingAuth, { keyHash: hashApiKey(none.key) })).principal?.fallbacks, []);
    const plain = await bus.request(Subjects.billingKeyCreate, { account_id: acct.id });
    assert.equal(plain.fallbacks, null);
  });

  it('answers random well-formed keys from its key index: a flood costs a bounded number of queries, real keys still resolve', async () => {
    const repo = app.get(KeysRepository);
    const original = repo.findActiveByHash.bind(repo);
    let queries = 0;
    repo.findActiveByHash = (hash: string) => {
      queries++;
      return original(hash);
    };
    try {
      const acct = await bus.request(Subjects.billingAccountCreate, { name: 'index' });
      const k = await bus.request(Subjects.billingKeyCreate, { account_id: acct.id });
      const started = Date.now();
      const answers = await Promise.all(Array.from({ length: 2_000 }, () => bus.request(Subjects.billingAuth, { keyHash: hashApiKey(generateApiKey()) })));
      assert.ok(answers.every((a) => a.principal === null));
      // At most the miss budget (20/s) plus its initial burst went to Postgres.
      assert.ok(queries <= 20 + Math.ceil(((Date.now() - started) / 1000) * 20) + 1, `${queries} queries for 2,000 random keys`);
      const before = queries;
      assert.equal((await bus.request(Subjects.billingAuth, { keyHash: hashApiKey(k.key) })).principal?.keyId, k.id, 'a real key still resolves');
      assert.equal(queries, before + 1);
    } finally {
      repo.findActiveByHash = original;
    }
  });

  const hold = (accountId: string, requestId: string, maxOutputTokens = 100, model = 'gpt-4o') =>
    bus.request(Subjects.billingHold, { requestId, accountId, keyId: 'k', model, promptTokens: 1000, maxOutputTokens, keyBudget: null });
  const held = (accountId: string) => app.get(BalanceCache).held(accountId);

  it('holds the maximum cost at the quoted price, and refuses what the balance cannot cover', async () => {
    const broke = await bus.request(Subjects.billingAccountCreate, { name: 'broke' });
    await assert.rejects(hold(broke.id, 'r-broke'), (e: unknown) => e instanceof TfError && e.code === 'insufficient_quota' && e.status === 429);
    const rich = await bus.request(Subjects.billingAccountCreate, { name: 'rich', credit_usd: '1' });
    // gpt-4o: 1000 prompt × 2500 + 100 output × 10000 = 3,500,000 nano-USD.
    assert.deepEqual(await hold(rich.id, 'r-rich'), {
      holdId: 'r-rich',
      amountNano: '3500000',
      price: { inputNanoPerToken: '2500', outputNanoPerToken: '10000' },
    });
    assert.equal(await held(rich.id), 3_500_000n);
    assert.deepEqual(await hold(rich.id, 'r-rich'), { holdId: 'r-rich', amountNano: '3500000', price: { inputNanoPerToken: '2500', outputNanoPerToken: '10000' } });
    assert.equal(await held(rich.id), 3_500_000n, 'placing the same hold twice reserves once');
    await assert.rejects(hold(rich.id, 'r-x', 100, 'no-price-model'), (e: unknown) => e instanceof TfError && e.code === 'model_not_priced');
  });

  it('caps a key at its budget for the window, from the ledger, across concurrent holds', async () => {
    const acct = await bus.request(Subjects.billingAccountCreate, { name: 'budgeted', credit_usd: '100' });
    const keyId = '00000000-0000-4000-8000-00000000b0d9';
    // 10 holds of 3,500,000 nano-USD fit a $0.035 daily budget; the account itself could pay for thousands.
    const budget = { limitNano: '35000000', period: 'daily' as const };
    const budgetHold = (i: number) =>
      bus.request(Subjects.billingHold, { requestId: `b-${i}`, accountId: acct.id, keyId, model: 'gpt-4o', promptTokens: 1000, maxOutputTokens: 100, keyBudget: budget });
    const results = await Promise.allSettled(Array.from({ length: 40 }, (_, i) => budgetHold(i)));
    assert.equal(results.filter((r) => r.status === 'fulfilled').length, 10);
    const denied = results.find((r) => r.status === 'rejected') as PromiseRejectedResult;
    assert.equal((denied.reason as TfError).code, 'insufficient_quota');
    assert.match((denied.reason as TfError).message, /daily budget of \$0\.035/);
    // Releasing frees the key's budget as well as the account's money. Which 10 got in depends on arrival order.
    const granted = results.findIndex((r) => r.status === 'fulfilled');
    await bus.request(Subjects.billingHoldReleaseNow, { requestId: `b-${granted}`, accountId: acct.id, keyId });
    const again = await Promise.allSettled([budgetHold(100), budgetHold(101)]);
    assert.deepEqual(again.map((r) => r.status).sort(), ['fulfilled', 'rejected']);
  });

  it('keeps large amounts exact in Redis and refuses them with a 429, not a 500', async () => {
    const whale = await bus.request(Subjects.billingAccountCreate, { name: 'whale', credit_usd: '1000000' });
    // 123,456,789,012 prompt tokens at $1/M (1000 nano each) = 123,456,789,012,000 nano-USD: past Lua's 14 printed digits.
    const big = (id: string, promptTokens: number) =>
      bus.request(Subjects.billingHold, { requestId: id, accountId: whale.id, keyId: 'k', model: 'no-cache', promptTokens, maxOutputTokens: 0, keyBudget: null });
    await bus.request(Subjects.billingPriceSet, { model: 'no-cache', input_usd_per_mtok: '1.00', output_usd_per_mtok: '1.00' });
    await big('whale-1', 123_456_789_012);
    assert.equal(await held(whale.id), 123_456_789_012_000n);
    await bus.request(Subjects.billingHoldReleaseNow, { requestId: 'whale-1', accountId: whale.id, keyId: 'k' });
    assert.equal(await held(whale.id), 0n, 'released to the nano-USD');
    await assert.rejects(big('whale-2', 2_000_000_000_000), (e: unknown) => e instanceof TfError && e.code === 'insufficient_quota');
  });

  it('admits exactly what the balance covers under 200 concurrent holds (no overdraft)', async () => {
    // 50 holds of 3,500,000 nano-USD = $0.175.
    const acct = await bus.request(Subjects.billingAccountCreate, { name: 'race', credit_usd: '0.175' });
    const results = await Promise.allSettled(Array.from({ length: 200 }, (_, i) => hold(acct.id, `race-${i}`)));
    const granted = results.filter((r) => r.status === 'fulfilled').length;
    assert.equal(granted, 50);
    assert.ok(results.filter((r) => r.status === 'rejected').every((r) => ((r as PromiseRejectedResult).reason as TfError).code === 'insufficient_quota'));
    assert.equal(await held(acct.id), 175_000_000n);
  });

  it('releases a hold on a release event, and an abandoned one through the expiry job', async () => {
    const acct = await bus.request(Subjects.billingAccountCreate, { name: 'release', credit_usd: '1' });
    await hold(acct.id, 'rel-1');
    await bus.publishDurable(Subjects.billingHoldRelease, { requestId: 'rel-1', accountId: acct.id, keyId: 'k' }, 'release:rel-1');
    await waitFor(async () => (await held(acct.id)) === 0n, 10_000, 'hold released by event');
    await hold(acct.id, 'abandoned');
    assert.equal(await held(acct.id), 3_500_000n);
    // HOLD_TTL_MS is 1.5 s in this suite and the job sweeps every 200 ms.
    await waitFor(async () => (await held(acct.id)) === 0n, 10_000, 'expired hold released by the job');
  });

  it('records every hold and release in the ledger as a move into and out of the escrow, however the hold ends', async () => {
    const acct = await bus.request(Subjects.billingAccountCreate, { name: 'escrow', credit_usd: '1' });
    const id = (s: string) => `${ns}-${s}`;
    const keyId = '00000000-0000-4000-8000-0000000e5c10';
    const movements = async () =>
      (
        await db.query(
          `SELECT kind, request_id, amount_nano::text AS amount, posting_nano::text AS posting, debit_account AS debit, credit_account AS credit, note
           FROM billing.ledger_entries WHERE account_id = $1 AND kind IN ('hold', 'release') ORDER BY request_id, kind`,
          [acct.id],
        )
      ).map((r: { request_id: string }) => ({ ...r, request_id: r.request_id.slice(ns.length + 1) }));
    const escrow = async () =>
      (await db.query(`SELECT coalesce(sum(amount_nano), 0)::text AS s FROM billing.postings WHERE account = $1`, [`escrow:${acct.id}`]))[0].s as string;
    const open = async () =>
      (await db.query(`SELECT request_id FROM billing.open_holds WHERE account_id = $1 ORDER BY request_id`, [acct.id])).map((r: { request_id: string }) => r.request_id);
    const placeHold = (s: string) =>
      bus.request(Subjects.billingHold, { requestId: id(s), accountId: acct.id, keyId, model: 'gpt-4o', promptTokens: 1000, maxOutputTokens: 100, keyBudget: null });

    for (const s of ['failed', 'settled', 'expired', 'lost']) await placeHold(s);
    await waitFor(async () => (await escrow()) === '14000000', 10_000, 'four holds in escrow');
    assert.deepEqual(await open(), ['expired', 'failed', 'lost', 'settled'].map(id));

    // Failed before any output: ingress releases it at once.
    assert.deepEqual(await bus.request(Subjects.billingHoldReleaseNow, { requestId: id('failed'), accountId: acct.id, keyId }), { released: true });
    // Settled by its usage event.
    await bus.publishDurable(Subjects.usageRecorded, usageEvent(acct.id, id('settled'), keyId), `${id('settled')}:1`);
    // Lost: Redis lost the hold (a restart without persistence); only the ledger still has it open.
    const cache = app.get(BalanceCache);
    await cache.redis.del(`tf:${ns}:{a:${acct.id}}:hold:${id('lost')}`);
    await cache.redis.zrem(`tf:${ns}:holds-by-expiry`, `${acct.id}|${id('lost')}|${keyId}`);
    // Expired: nobody ends it; the job does after HOLD_TTL_MS (1.5 s), and closes the lost one after the grace.
    await waitFor(async () => (await open()).length === 0, 15_000, 'every hold closed in the ledger');

    const hold = (s: string, note: string | null = null) => ({
      kind: 'hold', request_id: s, amount: '0', posting: '3500000', debit: `account:${acct.id}`, credit: `escrow:${acct.id}`, note,
    });
    const release = (s: string, note: string) => ({
      kind: 'release', request_id: s, amount: '0', posting: '3500000', debit: `escrow:${acct.id}`, credit: `account:${acct.id}`, note,
    });
    assert.deepEqual(await movements(), [
      hold('expired'), release('expired', 'expired'),
      hold('failed'), release('failed', 'failed'),
      hold('lost'), release('lost', 'lost'),
      hold('settled'), release('settled', 'settled'),
    ]);
    assert.equal(await escrow(), '0');
    assert.equal(await held(acct.id), 3_500_000n, 'the lost hold was never in Redis any more; the rest were freed');
    // Holds and releases move nothing out of the customer's balance; only the usage did.
    assert.equal(await balance(acct.id), 1_000_000_000n - 3_500_000n);
  });

  it('refuses a hold that arrives after its request was released (ingress gave up on a slow billing)', async () => {
    const acct = await bus.request(Subjects.billingAccountCreate, { name: 'late', credit_usd: '1' });
    const requestId = `${ns}-late`;
    await bus.publishDurable(Subjects.billingHoldRelease, { requestId, accountId: acct.id, keyId: 'k' }, `release:${requestId}`);
    await waitFor(
      async () => (await app.get(BalanceCache).redis.exists(`tf:${ns}:{a:${acct.id}}:abandoned:${requestId}`)) === 1,
      10_000,
      'release settled',
    );
    await assert.rejects(hold(acct.id, requestId), (e: unknown) => e instanceof TfError && e.code === 'service_unavailable');
    assert.equal(await held(acct.id), 0n);
  });

  it('settles usage exactly once at the quoted price, closing the hold and updating the cached balance', async () => {
    const acct = await bus.request(Subjects.billingAccountCreate, { name: 'usage', credit_usd: '1.00' });
    await hold(acct.id, `req_${acct.id}_1`);
    const ev = (n: number, model = 'gpt-4o'): UsageRecordedEvent => ({
      eventId: `req_${acct.id}_${n}:1`,
      requestId: `req_${acct.id}_${n}`,
      attemptNo: 1,
      accountId: acct.id,
      keyId: '00000000-0000-4000-8000-000000000001',
      model,
      channelId: 'c',
      provider: 'openai',
      upstreamModel: model,
      promptTokens: 1000,
      completionTokens: 100,
      cachedTokens: 0,
      reasoningTokens: 0,
      usageSource: 'upstream',
      outcome: 'ok',
      inputNanoPerToken: '2500',
      outputNanoPerToken: '10000',
      ttftMs: 5,
      durationMs: 10,
      occurredAt: new Date().toISOString(),
    });
    await bus.publishDurable(Subjects.usageRecorded, ev(1), 'm1');
    await bus.publishDurable(Subjects.usageRecorded, ev(1), 'm1-again');
    await bus.publishDurable(Subjects.usageRecorded, ev(2), 'm2');
    // A price quoted before a price change is the one billed.
    await bus.publishDurable(Subjects.usageRecorded, { ...ev(3, 'kimi-k2'), inputNanoPerToken: '1', outputNanoPerToken: '2' }, 'm3');
    const count = () => db.query(`SELECT count(*)::int AS n FROM billing.ledger_entries WHERE account_id = $1 AND kind = 'usage'`, [acct.id]);
    await waitFor(async () => (await count())[0].n === 3, 10_000, 'three usage entries');
    // gpt-4o: 1000 × 2500 + 100 × 10000 = 3,500,000 nano-USD per request, twice; kimi-k2 at its quote: 1200.
    const expected = 1_000_000_000n - 2n * 3_500_000n - 1_200n;
    assert.equal(await balance(acct.id), expected);
    // The ledger commit comes first; the cache is updated right after it.
    await waitFor(async () => (await held(acct.id)) === 0n, 5_000, 'settling released the hold');
    const cached = await app.get(BalanceCache).redis.hget(`tf:${ns}:{a:${acct.id}}:bal`, 'balance');
    await waitFor(async () => (await app.get(BalanceCache).redis.hget(`tf:${ns}:{a:${acct.id}}:bal`, 'balance')) === expected.toString(), 5_000, `cached balance (${cached})`);
    await assert.rejects(db.query(`UPDATE billing.ledger_entries SET amount_nano = 0 WHERE account_id = $1`, [acct.id]), /append-only/);
  });
});

describe('price book (admin)', () => {
  const ns = testNamespace('prices');
  let app: INestApplicationContext;
  let bus: NatsBus;

  before(async () => {
    app = await createBillingApp(
      billingEnvSchema.parse({ NATS_URL: testUrls.nats, DATABASE_URL: testUrls.database, REDIS_URL: testUrls.redis, TF_NAMESPACE: ns, DB_POOL_SIZE: '2' }),
    );
    bus = await NatsBus.connect({ url: testUrls.nats, name: 'prices-test', namespace: ns });
  });
  after(async () => {
    await app.close();
    for (const stream of Object.values(Streams)) await bus.durable.deleteStream(stream.name);
    await bus.close();
  });

  it('shows the seed price, versions changes, and quotes the version in force', async () => {
    const model = `test-model-${ns}`;
    await assert.rejects(bus.request(Subjects.billingPriceGet, { model }), (e: unknown) => e instanceof TfError && e.status === 404);
    const seed = await bus.request(Subjects.billingPriceGet, { model: 'deepseek-v3' });
    assert.deepEqual([seed.input_usd_per_mtok, seed.output_usd_per_mtok], ['0.14', '0.28']);
    await bus.request(Subjects.billingPriceSet, { model, input_usd_per_mtok: '1.00', output_usd_per_mtok: '2.50', effective_from: '2020-01-01T00:00:00Z' });
    const future = new Date(Date.now() + 3_600_000).toISOString();
    const view = await bus.request(Subjects.billingPriceSet, { model, input_usd_per_mtok: '9.00', output_usd_per_mtok: '9.00', effective_from: future });
    assert.deepEqual([view.input_usd_per_mtok, view.output_usd_per_mtok], ['1.00', '2.50'], 'a scheduled change is not in force yet');
    assert.equal(view.history.length, 2);
    await assert.rejects(
      bus.request(Subjects.billingPriceSet, { model, input_usd_per_mtok: '0.0000001', output_usd_per_mtok: '1' }),
      (e: unknown) => e instanceof TfError && e.param === 'input_usd_per_mtok',
    );
    const cachedModel = `${model}-cached`;
    const cached = await bus.request(Subjects.billingPriceSet, {
      model: cachedModel,
      input_usd_per_mtok: '2.00',
      output_usd_per_mtok: '8.00',
      cached_input_usd_per_mtok: '0.50',
    });
    assert.equal(cached.cached_input_usd_per_mtok, '0.50');
    await assert.rejects(
      bus.request(Subjects.billingPriceSet, { model: cachedModel, input_usd_per_mtok: '1', output_usd_per_mtok: '1', cached_input_usd_per_mtok: '2' }),
      (e: unknown) => e instanceof TfError && e.param === 'cached_input_usd_per_mtok',
    );
    const acct = await bus.request(Subjects.billingAccountCreate, { name: 'cached', credit_usd: '1' });
    const hold = await bus.request(Subjects.billingHold, {
      requestId: `cached-${ns}`,
      accountId: acct.id,
      keyId: 'k',
      model: cachedModel,
      promptTokens: 1000,
      maxOutputTokens: 10,
      keyBudget: null,
    });
    assert.deepEqual(hold.price, { inputNanoPerToken: '2000', outputNanoPerToken: '8000', cachedInputNanoPerToken: '500' });
  });
});

function usageEvent(accountId: string, requestId: string, keyId: string): UsageRecordedEvent {
  return {
    eventId: `${requestId}:1`,
    requestId,
    attemptNo: 1,
    accountId,
    keyId,
    model: 'gpt-4o',
    channelId: 'c',
    provider: 'openai',
    upstreamModel: 'gpt-4o',
    promptTokens: 1000,
    completionTokens: 100,
    cachedTokens: 0,
    reasoningTokens: 0,
    usageSource: 'upstream',
    outcome: 'ok',
    inputNanoPerToken: '2500',
    outputNanoPerToken: '10000',
    ttftMs: 5,
    durationMs: 10,
    occurredAt: new Date().toISOString(),
  };
}
