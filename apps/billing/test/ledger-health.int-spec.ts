import { strict as assert } from 'node:assert';
import { after, before, beforeEach, describe, it } from 'node:test';
import type { NatsBus } from '@tokenflow/messaging';
import { testNamespace, testUrls } from '@tokenflow/testing';
import type { DataSource } from 'typeorm';
import { billingEnvSchema } from '../src/config';
import { BalanceCache } from '../src/holds/balance-cache';
import { LedgerHealth } from '../src/settlement/ledger-health';

/**
 * Review of issue 13, finding 2: the shared ledger-down flag (real Redis; Postgres and the consumer's lag are
 * stand-ins so each state can be set exactly).
 */
describe('LedgerHealth: the ledger-down flag (real Redis)', () => {
  const ns = testNamespace('ledgerhealth');
  const config = billingEnvSchema.parse({ REDIS_URL: testUrls.redis, TF_NAMESPACE: ns, UNSETTLED_LIMIT_USD: '0', LOG_LEVEL: 'silent' });
  const key = `tf:${ns}:ledger-down-since`;
  let cache: BalanceCache;
  let writable = true;
  let lag: { pending: number; oldestPendingAt: Date | null } = { pending: 0, oldestPendingAt: null };
  const db = {
    transaction: async <T>(fn: (m: { query: (q: string) => Promise<unknown> }) => Promise<T>) =>
      fn({
        query: async (q: string) => {
          if (q.startsWith('SELECT pg_')) return [{ recovery: false, read_only: writable ? 'off' : 'on' }];
          return [];
        },
      }),
  } as unknown as DataSource;
  const bus = { durable: { lag: async () => lag } } as unknown as NatsBus;
  const health = () => new LedgerHealth(cache, config, db, bus);

  before(() => {
    cache = new BalanceCache(config);
  });
  after(async () => {
    await cache.redis.del(key);
    cache.onApplicationShutdown();
  });
  beforeEach(async () => {
    await cache.redis.del(key);
    writable = true;
    lag = { pending: 0, oldestPendingAt: null };
  });

  it('a commit clears a flag this replica has not seen yet (a blip shorter than the refresh left it set forever)', async () => {
    const h = health();
    await cache.redis.set(key, '1700000000000'); // another replica's settlement flagged it a moment ago
    assert.equal(h.unavailableSince, null, "this replica's copy is still empty");
    await h.markUp(await h.outageStart());
    assert.equal(await cache.redis.get(key), null);
  });

  it('a commit never clears a flag set after its transaction began (compare-and-delete on the outage start)', async () => {
    const h = health();
    await cache.redis.set(key, '2');
    await h.markUp('1');
    assert.equal(await cache.redis.get(key), '2');
    await h.markUp(null);
    assert.equal(await cache.redis.get(key), '2');
  });

  it('a flag set with no outage (a late SET NX after another replica cleared it) is cleared by the probe', async () => {
    const h = health();
    await cache.redis.set(key, String(Date.now()));
    await h.tick();
    assert.equal(await cache.redis.get(key), null);
    assert.equal(h.unavailableSince, null);
  });

  it('the probe keeps the flag while Postgres answers read-only (a failover) and clears it once it can write', async () => {
    const h = health();
    await h.markDown();
    writable = false;
    await h.tick();
    assert.notEqual(await cache.redis.get(key), null);
    assert.ok(h.unsettledLimit(), 'holds stay limited');
    writable = true;
    await h.tick();
    assert.equal(await cache.redis.get(key), null);
    assert.equal(h.unsettledLimit(), null);
  });

  it('a flap before the backlog drained stays one outage, so the per-account counters are not reset', async () => {
    const h = health();
    await h.markDown();
    const epoch = h.unsettledLimit()?.epoch;
    assert.ok(epoch);
    lag = { pending: 300, oldestPendingAt: new Date(Date.now() - 60_000) };
    await h.markUp(await h.outageStart()); // a batch of the backlog commits
    await h.tick();
    assert.equal(await cache.redis.get(key), epoch, 'kept while settlement catches up');
    await new Promise((r) => setTimeout(r, 5));
    await h.markDown(); // the ledger fails again
    assert.equal(h.unsettledLimit()?.epoch, epoch, 'the same outage, the same counters');
    lag = { pending: 0, oldestPendingAt: null };
    await h.tick();
    assert.equal(await cache.redis.get(key), null, 'cleared once the backlog drained');
  });
});
