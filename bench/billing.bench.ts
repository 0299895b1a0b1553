/**
 * `npm run bench:billing`: the latency a hold adds to a request (p50/p99 of `tf.billing.hold.v1`, sequential and 50
 * in flight), then settlement throughput: one usage event per held request, timed until every request has its
 * usage entry and its hold is released in the ledger (hold, usage and release entries: three rows per request).
 * Env: BENCH_HOLDS (default 10000; twice that many requests are held and settled).
 */
import { Subjects, USAGE_STREAM, type UsageRecordedEvent } from '@tokenflow/contracts';
import { NatsBus } from '@tokenflow/messaging';
import { testUrls } from '@tokenflow/testing';
import { ProcessGroup } from '@tokenflow/tools';
import { resolve } from 'node:path';
import { benchDatabase } from './bench-database';
import { Client } from 'pg';

const HOLDS = Number(process.env.BENCH_HOLDS ?? 10_000);
const EVENTS = HOLDS * 2;

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

async function main(): Promise<void> {
  const root = resolve(__dirname, '..', '..');
  const db = await benchDatabase();
  const namespace = `benchbill_${process.pid}`;
  const env = { ...process.env, NATS_URL: testUrls.nats, REDIS_URL: testUrls.redis, DATABASE_URL: db, TF_NAMESPACE: namespace, LOG_LEVEL: 'warn' };
  const group = new ProcessGroup({ root, env, output: () => undefined });
  const bus = await NatsBus.connect({ url: testUrls.nats, name: 'bench-billing', namespace });
  const pg = new Client({ connectionString: db });
  await pg.connect();
  try {
    await group.startAndWait('billing');
    const accounts: string[] = [];
    for (let i = 0; i < 20; i++) accounts.push((await bus.request(Subjects.billingAccountCreate, { name: `bench-${i}`, credit_usd: '1000000' })).id);

    // Hold latency: sequential, then 50 in flight.
    const hold = (i: number) =>
      bus.request(Subjects.billingHold, {
        requestId: `${namespace}-h-${i}`,
        accountId: accounts[i % accounts.length],
        keyId: '00000000-0000-4000-8000-000000000001',
        model: 'deepseek-v3',
        promptTokens: 500,
        maxOutputTokens: 1000,
        keyBudget: null,
      });
    for (let i = 0; i < 200; i++) await hold(10_000_000 + i); // warm-up
    const seq: number[] = [];
    for (let i = 0; i < HOLDS; i++) {
      const t = process.hrtime.bigint();
      await hold(i);
      seq.push(Number(process.hrtime.bigint() - t) / 1e6);
    }
    seq.sort((a, b) => a - b);
    const conc: number[] = [];
    const started = Date.now();
    let next = HOLDS;
    await Promise.all(
      Array.from({ length: 50 }, async () => {
        while (next < HOLDS * 2) {
          const i = next++;
          const t = process.hrtime.bigint();
          await hold(i);
          conc.push(Number(process.hrtime.bigint() - t) / 1e6);
        }
      }),
    );
    const concSeconds = (Date.now() - started) / 1000;
    conc.sort((a, b) => a - b);

    // Settlement throughput: publish usage events as the adapters would, time until all are in the ledger.
    const before = Number((await pg.query(`SELECT count(*) AS n FROM billing.ledger_entries WHERE kind = 'usage'`)).rows[0].n);
    const t0 = Date.now();
    const inflight: Promise<void>[] = [];
    for (let i = 0; i < EVENTS; i++) {
      const event: UsageRecordedEvent = {
        eventId: `${namespace}-h-${i}:1`,
        requestId: `${namespace}-h-${i}`,
        attemptNo: 1,
        accountId: accounts[i % accounts.length],
        keyId: '00000000-0000-4000-8000-000000000001',
        model: 'deepseek-v3',
        channelId: 'bench',
        provider: 'deepseek',
        upstreamModel: 'deepseek-chat',
        promptTokens: 500,
        completionTokens: 200,
        cachedTokens: 0,
        reasoningTokens: 0,
        usageSource: 'upstream',
        outcome: 'ok',
        inputNanoPerToken: '140',
        outputNanoPerToken: '280',
        ttftMs: 100,
        durationMs: 1000,
        occurredAt: new Date().toISOString(),
      };
      inflight.push(bus.publishDurable(Subjects.usageRecorded, event, event.eventId));
      if (inflight.length >= 500) await Promise.all(inflight.splice(0));
    }
    await Promise.all(inflight);
    const published = Date.now();
    for (;;) {
      const n = Number((await pg.query(`SELECT count(*) AS n FROM billing.ledger_entries WHERE kind = 'usage'`)).rows[0].n);
      // Only the warm-up holds (never settled) stay open.
      const open = Number(
        (await pg.query(`SELECT count(*) AS n FROM billing.open_holds WHERE request_id LIKE $1 AND request_id NOT LIKE $2`, [`${namespace}-h-%`, `${namespace}-h-1000____`])).rows[0].n,
      );
      if (n - before >= EVENTS && open === 0) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    const settledSeconds = (Date.now() - t0) / 1000;

    console.log(`\nTokenFlow billing benchmark — Node ${process.version}\n`);
    console.log('| measure | result |');
    console.log('|---|---|');
    console.log(`| hold, sequential (${HOLDS}) | p50 ${percentile(seq, 50).toFixed(2)} ms, p99 ${percentile(seq, 99).toFixed(2)} ms |`);
    console.log(
      `| hold, 50 in flight (${HOLDS}) | p50 ${percentile(conc, 50).toFixed(2)} ms, p99 ${percentile(conc, 99).toFixed(2)} ms, ${Math.round(HOLDS / concSeconds)} holds/s |`,
    );
    console.log(`| settlement: ${EVENTS} usage events published | ${((published - t0) / 1000).toFixed(2)} s |`);
    console.log(
      `| settlement: all ${EVENTS} requests in the ledger (usage + hold + release) | ${settledSeconds.toFixed(2)} s → ${Math.round(EVENTS / settledSeconds)} requests/s |`,
    );
  } finally {
    await pg.end();
    await group.stopAll();
    await bus.durable.deleteStream(USAGE_STREAM);
    await bus.close();
  }
}

main().catch((err: Error) => {
  console.error(`bench failed: ${err.message}`);
  process.exit(1);
});
