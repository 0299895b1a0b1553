import { strict as assert } from 'node:assert';
import { after, before, describe, it } from 'node:test';
import type { INestApplicationContext } from '@nestjs/common';
import { ensureDatabase } from '@tokenflow/config';
import { hashApiKey, Subjects, TfError, USAGE_STREAM, type UsageRecordedEvent } from '@tokenflow/contracts';
import { NatsBus } from '@tokenflow/messaging';
import { testNamespace, testUrls, waitFor } from '@tokenflow/testing';
import { DataSource } from 'typeorm';
import { createBillingApp } from '../src/billing.app';
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
    app = await createBillingApp(billingEnvSchema.parse({ NATS_URL: testUrls.nats, DATABASE_URL: testUrls.database, TF_NAMESPACE: ns, DB_POOL_SIZE: '4' }));
    bus = await NatsBus.connect({ url: testUrls.nats, name: 'billing-test', namespace: ns });
    db = app.get(DataSource);
  });
  after(async () => {
    await app.close();
    await bus.durable.deleteStream(USAGE_STREAM);
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
    assert.deepEqual(auth.principal, { keyId: k.id, accountId: acct.id, name: null, models: ['gpt-4o'], rpmLimit: 5 });
    await bus.request(Subjects.billingKeyRevoke, { id: k.id });
    assert.equal((await bus.request(Subjects.billingAuth, { keyHash: hashApiKey(k.key) })).principal, null);
    await waitFor(() => changes.length === 2, 2_000, 'key-changed events');
    assert.deepEqual(changes, ['created', 'revoked']);
    await assert.rejects(bus.request(Subjects.billingKeyCreate, { account_id: '00000000-0000-4000-8000-000000000000' }), TfError);
  });

  it('refuses to start requests for an account without balance', async () => {
    const broke = await bus.request(Subjects.billingAccountCreate, { name: 'broke' });
    await assert.rejects(bus.request(Subjects.billingHold, { requestId: 'r', accountId: broke.id, keyId: 'k', model: 'gpt-4o' }), (e: unknown) => {
      return e instanceof TfError && e.code === 'insufficient_quota' && e.status === 429;
    });
    const rich = await bus.request(Subjects.billingAccountCreate, { name: 'rich', credit_usd: '1' });
    assert.deepEqual(await bus.request(Subjects.billingHold, { requestId: 'r', accountId: rich.id, keyId: 'k', model: 'gpt-4o' }), { granted: true });
  });

  it('settles usage events into the ledger exactly once at the seed price', async () => {
    const acct = await bus.request(Subjects.billingAccountCreate, { name: 'usage', credit_usd: '1.00' });
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
      ttftMs: 5,
      durationMs: 10,
      occurredAt: new Date().toISOString(),
    });
    await bus.publishDurable(Subjects.usageRecorded, ev(1), 'm1');
    await bus.publishDurable(Subjects.usageRecorded, ev(1), 'm1-again');
    await bus.publishDurable(Subjects.usageRecorded, ev(2), 'm2');
    await bus.publishDurable(Subjects.usageRecorded, ev(3, 'unpriced-model'), 'm3');
    const count = () => db.query(`SELECT count(*)::int AS n FROM billing.ledger_entries WHERE account_id = $1 AND kind = 'usage'`, [acct.id]);
    await waitFor(async () => (await count())[0].n === 3, 10_000, 'three usage entries');
    // gpt-4o: 1000 × 2500 + 100 × 10000 = 3,500,000 nano-USD per request, twice; the unpriced model costs 0.
    assert.equal(await balance(acct.id), 1_000_000_000n - 2n * 3_500_000n);
    await assert.rejects(db.query(`UPDATE billing.ledger_entries SET amount_nano = 0 WHERE account_id = $1`, [acct.id]), /append-only/);
  });
});
