import { strict as assert } from 'node:assert';
import { after, before, describe, it } from 'node:test';
import { testUrls, waitFor } from '@tokenflow/testing';
import { type ClientRecord, PrivateNats, send, SteadyLoad, TcpProxy } from './support/faults';
import { withDb } from './support/ledger';
import { adminApi, type Platform, scriptedChannel, startPlatform } from './support/platform';

/** How long Postgres stays away in scenario (a); the issue asks for 3 minutes (`FAULT_PG_OUTAGE_MS` shortens it locally). */
const PG_OUTAGE_MS = Number(process.env.FAULT_PG_OUTAGE_MS ?? 180_000);
/** How long the load runs around each fault. */
const BEFORE_MS = 3_000;
const AFTER_MS = 4_000;

interface Outcome {
  scenario: string;
  requests: number;
  ok: number;
  errors: number;
  truncated: number;
  recoverMs: number;
  /** The slowest request of the run (one caught in the fault waits for its idle timeout). */
  slowestMs: number;
}

/**
 * Issue 13, point 6: under steady load (streaming and not), each fault in turn — Postgres away, billing restarted,
 * one of two adapters killed, NATS restarted, the ingress stopped with streams in flight. After each: the ledger
 * verifies, every answered request is billed exactly once, nobody is overdrawn, and no client saw a truncated
 * success. Postgres sits behind a proxy and NATS is the suite's own, so the machine's servers are never touched.
 */
describe('faults: nothing served goes unbilled', { timeout: 30 * 60_000 }, () => {
  let p: Platform;
  let nats: PrivateNats;
  let pg: TcpProxy;
  let admin: ReturnType<typeof adminApi>;
  let key: string;
  let accountId: string;
  const outcomes: Outcome[] = [];

  const body = (i: number) => ({ model: 'f-steady', max_tokens: 64, messages: [{ role: 'user', content: `fault load ${i}` }] });

  before(async () => {
    nats = await PrivateNats.start();
    const [host, port] = [new URL(testUrls.database).hostname, Number(new URL(testUrls.database).port || 5432)];
    pg = await TcpProxy.start({ host, port });
    p = await startPlatform('faults', { HEALTH_REPORT_MS: '200', SHUTDOWN_GRACE_MS: '10000' }, { natsUrl: nats.url, databasePort: pg.port });
    admin = adminApi(p);
    // A ~1 s stream, so every fault finds streams in flight.
    await scriptedChannel(p, admin, 'f-steady', 'gpt-4o+tps=60+tokens=48');
    const acct = await admin<{ id: string }>('POST', '/admin/v1/accounts', { name: 'faults', credit_usd: '20.00' });
    accountId = acct.body.id;
    const k = await admin<{ key: string }>('POST', '/admin/v1/keys', { account_id: accountId });
    key = k.body.key;
  });
  after(async () => {
    await pg?.up();
    if (p) process.stdout.write(`# fault outcomes: ${JSON.stringify(outcomes)}\n`);
    await p?.stop();
    await nats?.close();
    await pg?.down();
  });

  /** Load before, during and after `fault`; then every check of the issue. */
  async function underLoad(scenario: string, fault: () => Promise<void>): Promise<void> {
    const load = new SteadyLoad(p.baseUrl, key, body, 4);
    await sleep(BEFORE_MS);
    await fault();
    const recovered = Date.now();
    const recoverMs = await timeToServe();
    await sleep(AFTER_MS);
    const records = await load.stop();
    const outcome = { scenario, requests: records.length, ok: records.filter((r) => r.ok).length, errors: records.filter((r) => !r.ok).length, truncated: records.filter((r) => r.truncated).length, recoverMs: recoverMs - recovered, slowestMs: Math.max(...records.map((r) => r.ms)) };
    outcomes.push(outcome);
    assert.equal(outcome.truncated, 0, `${scenario}: no client may see a truncated success`);
    assert.ok(outcome.ok > 0, `${scenario}: requests were served`);
    await assertBilledOnce(scenario, records);
  }

  /** When a fresh request is answered again after the fault (ms since epoch). */
  async function timeToServe(): Promise<number> {
    await waitFor(async () => (await send(p.baseUrl, key, { ...body(-1), stream: false })).ok, 240_000, 'the platform to serve again');
    return Date.now();
  }

  /** Every answered request has exactly one usage entry; none has two; the ledger verifies; nobody is overdrawn. */
  async function assertBilledOnce(scenario: string, records: ClientRecord[]): Promise<void> {
    const answered = records.filter((r) => r.ok).map((r) => r.requestId!);
    const counts = await waitFor(
      async () => {
        const c = await usageCounts();
        return answered.every((id) => (c.get(id) ?? 0) >= 1) ? c : null;
      },
      120_000,
      `${scenario}: every answered request settled`,
    );
    const unbilled = answered.filter((id) => (counts.get(id) ?? 0) !== 1);
    assert.deepEqual(unbilled, [], `${scenario}: answered requests billed other than once`);
    const twice = [...counts].filter(([, n]) => n > 1);
    assert.deepEqual(twice, [], `${scenario}: requests billed twice`);
    const verify = await admin<{ ok: boolean }>('GET', '/admin/v1/ledger/verify');
    assert.equal(verify.status, 200);
    assert.equal(verify.body.ok, true, `${scenario}: ledger verify ${JSON.stringify(verify.body)}`);
    const overdrawn = await withDb(p.databaseUrl, async (c) => (await c.query(`SELECT id FROM billing.accounts WHERE balance_nano < -credit_limit_nano`)).rows);
    assert.deepEqual(overdrawn, [], `${scenario}: no account overdrawn`);
  }

  /** Usage entries per client request id (a fallback round's `<id>-rN` counts for `<id>`). */
  async function usageCounts(): Promise<Map<string, number>> {
    const rows = await withDb(p.databaseUrl, async (c) => (await c.query(`SELECT request_id FROM billing.ledger_entries WHERE account_id = $1 AND kind = 'usage'`, [accountId])).rows as { request_id: string }[]);
    const counts = new Map<string, number>();
    for (const { request_id } of rows) {
      const id = request_id.replace(/-r\d+$/, '');
      counts.set(id, (counts.get(id) ?? 0) + 1);
    }
    return counts;
  }

  it('(b) billing restarts', async () => {
    await underLoad('billing restart', () => p.restart('billing'));
  });

  it('(c) one of two adapter replicas is killed with SIGKILL', async () => {
    const second = await p.extraReplica('provider-adapter');
    try {
      await underLoad('adapter kill -9', () => p.restart('provider-adapter', 'SIGKILL'));
    } finally {
      await second.stop();
    }
  });

  it('(d) NATS restarts', async () => {
    await underLoad('nats restart', () => nats.restart(undefined, 2_000));
  });

  it('(e) the ingress gets SIGTERM with streams in flight', async () => {
    await underLoad('ingress sigterm', () => p.restart('ingress'));
  });

  it(`(a) Postgres is away for ${Math.round(PG_OUTAGE_MS / 1000)} s`, async () => {
    await underLoad('postgres outage', async () => {
      await pg.down();
      await sleep(PG_OUTAGE_MS);
      await pg.up();
    });
  });
});

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
