import { strict as assert } from 'node:assert';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { Streams, Subjects, TfError } from '@tokenflow/contracts';
import { NatsBus } from '@tokenflow/messaging';
import { usageEvent, waitFor } from '@tokenflow/testing';
import { Client } from 'pg';
import { type OwnDatabaseBilling, startOwnDatabaseBilling } from './support/own-database-billing';

/**
 * Issue 13: no usage event is ever dropped. Billing runs against its own database, whose ledger this spec makes
 * unwritable (a long transaction holding an exclusive lock, with a short statement timeout) or feeds events that
 * break a constraint; every event must end up in the ledger exactly once when the cause clears.
 */
describe('settlement through faults (real NATS, Redis, Postgres)', () => {
  let billing: OwnDatabaseBilling;
  let ns: string;
  let bus: NatsBus;
  let sql: Client;

  before(async () => {
    billing = await startOwnDatabaseBilling('settlefault', {
      DB_STATEMENT_TIMEOUT_MS: '2000',
      SETTLEMENT_STATEMENT_TIMEOUT_MS: '300',
      PARKED_REPLAY_MS: '500',
      UNSETTLED_LIMIT_USD: '0.01',
    });
    ({ ns, bus, sql } = billing);
  });
  after(() => billing?.stop());

  const usageCount = async (accountId: string) =>
    (await sql.query(`SELECT count(*)::int AS n FROM billing.ledger_entries WHERE kind = 'usage' AND account_id = $1`, [accountId])).rows[0].n as number;
  const balance = async (accountId: string) => BigInt((await sql.query(`SELECT balance_nano::text AS b FROM billing.accounts WHERE id = $1`, [accountId])).rows[0].b);
  const hold = (accountId: string, requestId: string) =>
    bus.request(Subjects.billingHold, { requestId, accountId, keyId: randomUUID(), model: 'gpt-4o', promptTokens: 100, maxOutputTokens: 100, keyBudget: null });

  it('keeps redelivering through a ledger outage longer than the old 8 deliveries, parks nothing, and applies every event once when it ends', async () => {
    const acct = await bus.request(Subjects.billingAccountCreate, { name: 'outage', credit_usd: '10' });
    // Warm the balance cache while Postgres still answers (a cold cache needs it).
    const each = BigInt((await hold(acct.id, `warm-${ns}`)).amountNano);
    const start = await balance(acct.id);

    const locker = new Client({ connectionString: billing.databaseUrl });
    await locker.connect();
    await locker.query('BEGIN');
    await locker.query('LOCK TABLE billing.ledger_entries IN ACCESS EXCLUSIVE MODE');
    const events = Array.from({ length: 20 }, (_, i) => usageEvent(`outage-${ns}-${i}`, { accountId: acct.id, keyId: randomUUID(), promptTokens: 100 + i }));
    try {
      for (const e of events) await bus.publishDurable(Subjects.usageRecorded, e, e.eventId);

      // Settlement notices the ledger is unwritable; holds are then limited per account (0.01 USD here: one
      // hold of 100 + 100 tokens of gpt-4o costs about 0.00125 USD, so 8 fit) and fail closed past it.
      await waitFor(async () => (await bus.request(Subjects.billingSettlementLag, {})).ledger_unavailable_since !== null, 5_000, 'ledger marked unavailable');
      let granted = 0;
      let refused: unknown = null;
      for (let i = 0; i < 20 && !refused; i++) {
        try {
          await hold(acct.id, `risk-${ns}-${i}`);
          granted++;
        } catch (err) {
          refused = err;
        }
      }
      assert.equal(BigInt(granted), 10_000_000n / each, 'holds granted up to the unsettled limit');
      assert.ok(granted > 0);
      assert.ok(refused instanceof TfError && refused.code === 'ledger_unavailable' && refused.status === 503, `refused with ${String(refused)}`);

      // Past what used to be the last delivery (8): nothing was terminated, nothing parked, the lag is visible.
      await waitFor(async () => {
        const lag = await bus.request(Subjects.billingSettlementLag, {});
        return lag.oldest_unsettled_seconds >= 22 ? lag : null;
      }, 35_000, 'an outage of 22 s (past 8 deliveries)');
      const lag = await bus.request(Subjects.billingSettlementLag, {});
      assert.ok(lag.pending >= 20, `pending ${lag.pending}`);
    } finally {
      await locker.query('ROLLBACK');
      await locker.end();
    }
    assert.equal((await sql.query(`SELECT count(*)::int AS n FROM billing.parked_usage`)).rows[0].n, 0, 'an outage parks nothing');

    // The cause clears: every event is applied within a few seconds (the transient backoff is capped at 5 s).
    const cleared = Date.now();
    await waitFor(async () => (await usageCount(acct.id)) === 20, 10_000, 'all 20 events settled after the outage');
    assert.ok(Date.now() - cleared < 8_000);
    const expected = events.reduce((sum, e) => sum + BigInt(e.promptTokens), 0n);
    assert.equal(start - (await balance(acct.id)), expected, 'each event charged exactly once');
    await waitFor(async () => (await bus.request(Subjects.billingSettlementLag, {})).ledger_unavailable_since === null, 5_000, 'ledger available again');
    await hold(acct.id, `after-${ns}`);

    // A publisher retry past JetStream's dedupe window (a new msgId, the same event) changes nothing.
    for (const e of events.slice(0, 5)) await bus.publishDurable(Subjects.usageRecorded, e, `${e.eventId}:again`);
    await waitFor(async () => (await bus.request(Subjects.billingSettlementLag, {})).pending === 0, 5_000, 'duplicates consumed');
    assert.equal(await usageCount(acct.id), 20);
    assert.equal(start - (await balance(acct.id)), expected);
    const verify = await bus.request(Subjects.billingLedgerVerify, {}, { timeoutMs: 30_000 });
    assert.equal(verify.ok, true, JSON.stringify(verify));
    assert.equal(verify.settlement.parked, 0);
  });

  it('parks an event that breaks a constraint at once, without holding back its batch, and replays it once the cause is fixed', async () => {
    const acct = await bus.request(Subjects.billingAccountCreate, { name: 'poison', credit_usd: '1' });
    const missing = randomUUID();
    const good = usageEvent(`good-${ns}`, { accountId: acct.id, keyId: randomUUID() });
    const poison = usageEvent(`poison-${ns}`, { accountId: missing, keyId: randomUUID(), promptTokens: 7 });
    await Promise.all([good, poison].map((e) => bus.publishDurable(Subjects.usageRecorded, e, e.eventId)));

    await waitFor(async () => (await usageCount(acct.id)) === 1, 5_000, 'the good event settled');
    const parked = await waitFor(async () => {
      const list = await bus.request(Subjects.billingParkedList, {});
      return list.data.find((p) => p.event_key === poison.eventId) ?? null;
    }, 5_000, 'the poison event parked');
    assert.match(parked.reason, /^23503/, 'a foreign-key violation');
    assert.deepEqual(parked.event, poison);
    assert.equal(parked.replayed_at, null);
    assert.equal((await bus.request(Subjects.billingSettlementLag, {})).parked, 1);

    // A replay that still fails says why and keeps it parked.
    const failed = await bus.request(Subjects.billingParkedReplay, { id: parked.id });
    assert.equal(failed.replayed, 0);
    assert.equal(failed.failed[0].id, parked.id);
    await assert.rejects(bus.request(Subjects.billingParkedReplay, { id: '999999999' }), (e: unknown) => e instanceof TfError && e.status === 404);

    // The cause clears (the account is restored); the operator replays it; a second replay changes nothing.
    await sql.query(`INSERT INTO billing.accounts (id, name, balance_nano) VALUES ($1, 'restored', 1000)`, [missing]);
    const replayed = await bus.request(Subjects.billingParkedReplay, { id: parked.id });
    assert.deepEqual(replayed, { replayed: 1, failed: [] });
    assert.equal(await usageCount(missing), 1);
    assert.equal(await balance(missing), 1000n - 7n);
    await sql.query(`UPDATE billing.parked_usage SET replayed_at = NULL WHERE id = $1`, [parked.id]);
    assert.deepEqual(await bus.request(Subjects.billingParkedReplay, {}), { replayed: 1, failed: [] }, 'replay-all');
    assert.equal(await usageCount(missing), 1, 'the idempotency key absorbs a second replay');
    assert.equal(await balance(missing), 1000n - 7n);
    const all = await bus.request(Subjects.billingParkedList, { all: true });
    assert.ok(all.data.find((p) => p.id === parked.id)?.replayed_at);
    assert.equal((await bus.request(Subjects.billingParkedList, {})).data.length, 0);
  });

  it('replays parked events on its own once their cause clears', async () => {
    const missing = randomUUID();
    const poison = usageEvent(`auto-${ns}`, { accountId: missing, keyId: randomUUID(), promptTokens: 11 });
    await bus.publishDurable(Subjects.usageRecorded, poison, poison.eventId);
    await waitFor(async () => (await bus.request(Subjects.billingParkedList, {})).data.some((p) => p.event_key === poison.eventId), 5_000, 'parked');
    await sql.query(`INSERT INTO billing.accounts (id, name, balance_nano) VALUES ($1, 'late', 100)`, [missing]);
    await waitFor(async () => (await usageCount(missing)) === 1, 5_000, 'replayed by the periodic job');
    assert.equal(await balance(missing), 100n - 11n);
  });

  it('re-creates its stream and consumer when JetStream lost them, and settles the next event within 2 s', async () => {
    const acct = await bus.request(Subjects.billingAccountCreate, { name: 'lost-stream', credit_usd: '1' });
    for (const stream of Object.values(Streams)) await bus.durable.deleteStream(stream.name);
    const e = usageEvent(`lost-${ns}`, { accountId: acct.id, keyId: randomUUID() });
    // Until billing notices, a publish finds no stream (what the adapter saw for ~16 s before giving up).
    await waitFor(async () => bus.publishDurable(Subjects.usageRecorded, e, e.eventId).then(() => true, () => null), 5_000, 'stream re-created');
    const published = Date.now();
    await waitFor(async () => (await usageCount(acct.id)) === 1, 2_000, 'settled on the re-created consumer');
    assert.ok(Date.now() - published < 2_000);
  });
});
