import { strict as assert } from 'node:assert';
import { randomUUID } from 'node:crypto';
import { after, before, beforeEach, describe, it } from 'node:test';
import { Subjects, TfError } from '@tokenflow/contracts';
import type { DeliveredEvent } from '@tokenflow/messaging';
import { testNamespace, testUrls, usageEvent } from '@tokenflow/testing';
import { billingEnvSchema } from '../src/config';
import { BalanceCache } from '../src/holds/balance-cache';
import type { ParkedRow, ParkedUsageRepository } from '../src/parked/parked-usage.repository';
import { ParkedUsageService } from '../src/parked/parked-usage.service';
import type { LedgerHealth } from '../src/settlement/ledger-health';
import type { SettlementService } from '../src/settlement/settlement.service';

/**
 * Review of issue 13, findings 1 and 4: parked replay in batches through a whole backlog, and the replay lock
 * (real Redis; the parked table and settlement are stand-ins counting what they are asked).
 */
describe('parked usage replay (real Redis)', () => {
  const ns = testNamespace('parkedreplay');
  const config = billingEnvSchema.parse({ REDIS_URL: testUrls.redis, TF_NAMESPACE: ns, PARKED_REPLAY_MS: '60000', LOG_LEVEL: 'silent' });
  const lockKey = `tf:${ns}:parked-replay-lock`;
  let cache: BalanceCache;
  let rows: ParkedRow[];
  let settleCalls: DeliveredEvent[][];
  let settleGate: Promise<void> | null;
  let down: Date | null;
  const poisonKeys = new Set<string>();

  const row = (i: number): ParkedRow => {
    const e = usageEvent(`parked-${ns}-${i}`, { accountId: randomUUID(), keyId: randomUUID() });
    const now = new Date();
    return { id: String(i + 1), subject: Subjects.usageRecorded, event_key: e.eventId, event: JSON.stringify(e), reason: 'x', attempts: 1, first_failed_at: now, last_failed_at: now, replayed_at: null };
  };
  const repo = {
    list: async (all: boolean, limit: number, afterId = '0') => rows.filter((r) => (all || !r.replayed_at) && BigInt(r.id) > BigInt(afterId)).slice(0, limit),
    get: async (id: string) => rows.find((r) => r.id === id) ?? null,
    markReplayed: async (ids: string[]) => ids.forEach((id) => (rows[Number(id) - 1].replayed_at = new Date())),
    markFailed: async () => undefined,
  } as unknown as ParkedUsageRepository;
  const settlement = {
    settle: async (batch: DeliveredEvent[]) => {
      settleCalls.push(batch);
      if (settleGate) await settleGate;
      if (batch.some((e) => poisonKeys.has(e.msgId ?? ''))) throw Object.assign(new Error('violates foreign key constraint'), { code: '23503' });
      return batch.length;
    },
  } as unknown as SettlementService;
  const health = {
    get unavailableSince() {
      return down;
    },
  } as unknown as LedgerHealth;
  const service = () => new ParkedUsageService(repo, settlement, health, cache, config);

  before(() => {
    cache = new BalanceCache(config);
  });
  after(async () => {
    await cache.redis.del(lockKey);
    cache.onApplicationShutdown();
  });
  beforeEach(async () => {
    await cache.redis.del(lockKey);
    rows = [];
    settleCalls = [];
    settleGate = null;
    down = null;
    poisonKeys.clear();
  });

  it('clears a backlog of 1,200 in one run, in batched transactions (it used to take 500 one by one per minute)', async () => {
    rows = Array.from({ length: 1_200 }, (_, i) => row(i));
    const result = await service().replayDue();
    assert.deepEqual(result, { replayed: 1_200, failed: [] });
    assert.ok(rows.every((r) => r.replayed_at));
    assert.ok(settleCalls.length <= 12, `${settleCalls.length} settlement transactions`);
  });

  it('a poison event in a batch is retried alone and reported; the rest of its batch is replayed', async () => {
    rows = Array.from({ length: 50 }, (_, i) => row(i));
    poisonKeys.add(rows[7].event_key);
    const result = await service().replayDue();
    assert.equal(result?.replayed, 49);
    assert.deepEqual(result?.failed.map((f) => f.id), ['8']);
    assert.match(result?.failed[0].reason ?? '', /^23503/);
  });

  it("releases only its own lock: a lock another replica took after this one's expired survives", async () => {
    rows = [row(0), row(1)];
    let open!: () => void;
    settleGate = new Promise<void>((r) => (open = r));
    const run = service().replayDue();
    while (settleCalls.length === 0) await new Promise((r) => setTimeout(r, 5));
    assert.ok(await cache.redis.get(lockKey), 'the run holds the lock');
    await cache.redis.set(lockKey, 'other-replica', 'PX', 60_000); // ours expired; another replica took it
    open();
    await run;
    assert.equal(await cache.redis.get(lockKey), 'other-replica');
  });

  it('replay-all takes the same lock: refused with a 503 while another replica replays', async () => {
    rows = [row(0)];
    await cache.redis.set(lockKey, 'other-replica', 'PX', 60_000);
    await assert.rejects(service().replay({}), (e: unknown) => e instanceof TfError && e.code === 'service_unavailable' && e.status === 503);
    assert.equal(settleCalls.length, 0);
    await cache.redis.del(lockKey);
    assert.deepEqual(await service().replay({}), { replayed: 1, failed: [] });
    assert.equal(await cache.redis.get(lockKey), null, 'released after the run');
  });

  it('replay-all is refused with a clear 503 while the ledger is down', async () => {
    rows = [row(0)];
    down = new Date();
    await assert.rejects(service().replay({}), (e: unknown) => e instanceof TfError && e.code === 'ledger_unavailable' && e.status === 503 && /unavailable since/.test(e.message));
    assert.equal(settleCalls.length, 0);
  });
});
