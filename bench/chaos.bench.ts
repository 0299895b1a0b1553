/**
 * `npm run bench:chaos`: what upstream failures cost a client. Boots the whole platform like `npm start` (own
 * namespace, its own database `tokenflow_bench_chaos`, the mock provider), then for each scenario points the seeded
 * deepseek, qwen and zhipu mock channels somewhere (healthy, failing at random, down) and sends the same
 * deepseek-v3 chat request — with `fallbacks: ["qwen-max", "glm-4-plus"]` — a fixed number of times, plain and
 * streamed, at a fixed concurrency. Prints success rate, latency of the successful requests and what it adds over
 * the healthy baseline, upstream attempts per request (`x-tokenflow-attempts`), who answered and how the rest failed.
 * Env: BENCH_REQUESTS (400), BENCH_STREAM_REQUESTS (100), BENCH_CONCURRENCY (8), BENCH_FAIL_RATE (20), BENCH_WARMUP_S (10),
 * BENCH_FALLBACKS ("qwen-max,glm-4-plus"; empty = none in the body, the key's or catalog's chain applies), MOCK_SEED.
 */
import { freePort } from '@tokenflow/testing';
import { startBenchPlatform } from './bench-platform';
import { type Outcome, runLoad, type Summary, summarise } from './chaos-load';
import { adminClient, applyScenario, chaosDatabase, chaosScenarios } from './chaos-scenarios';

const requests = Number(process.env.BENCH_REQUESTS ?? 400);
const streamRequests = Number(process.env.BENCH_STREAM_REQUESTS ?? 100);
const concurrency = Number(process.env.BENCH_CONCURRENCY ?? 8);
const failRate = Number(process.env.BENCH_FAIL_RATE ?? 20);
const fallbacks = (process.env.BENCH_FALLBACKS ?? 'qwen-max,glm-4-plus').split(',').filter(Boolean);
/** Bounds a hung request, so a broken scenario cannot hold the bench past its time budget. */
const REQUEST_TIMEOUT_MS = 15_000;
/**
 * Before the baseline, healthy traffic for this long: pools, caches and JIT warm up over the first few thousand
 * requests, and a cold baseline would make every later scenario look faster than it is.
 */
const warmupMs = Number(process.env.BENCH_WARMUP_S ?? 10) * 1000;
/** Before each scenario's measurement, after its channels changed: the gateway sees the change and settles. */
const SETTLE_REQUESTS = 16;

interface Row {
  scenario: string;
  mode: 'json' | 'stream';
  summary: Summary;
}

async function main(): Promise<void> {
  const started = performance.now();
  const platform = await startBenchPlatform('chaos', {
    DATABASE_URL: await chaosDatabase(),
    LOG_LEVEL: 'warn',
    MOCK_SEED: process.env.MOCK_SEED ?? '1',
  });
  try {
    const { gateway, mock, adminKey, key, accountId } = platform;
    const admin = adminClient(gateway, adminKey);
    await admin('POST', `/admin/v1/accounts/${accountId}/credits`, { amount_usd: '1000.00' });
    const body = {
      model: 'deepseek-v3',
      messages: [{ role: 'user', content: 'Chaos bench: say something short.' }],
      ...(fallbacks.length ? { fallbacks } : {}),
    };
    const load = (stream: boolean, n: number) =>
      runLoad({ url: `${gateway}/v1/chat/completions`, key, body, stream, requests: n, concurrency, timeoutMs: REQUEST_TIMEOUT_MS });

    const scenarios = chaosScenarios(mock, await freePort(), failRate);
    await applyScenario(admin, scenarios[0]);
    for (const warmupEnd = performance.now() + warmupMs; performance.now() < warmupEnd; ) {
      await load(false, 200);
      await load(true, 50);
    }

    const rows: Row[] = [];
    for (const scenario of scenarios) {
      await applyScenario(admin, scenario);
      await load(false, SETTLE_REQUESTS);
      // Every scenario's failure scripts start from the seed, so a run replays the same upstream failures.
      await fetch(`${mock}/mock/requests`, { method: 'DELETE' });
      const json: Outcome[] = await load(false, requests);
      const stream: Outcome[] = streamRequests > 0 ? await load(true, streamRequests) : [];
      rows.push({ scenario: scenario.name, mode: 'json', summary: summarise(json) });
      if (stream.length) rows.push({ scenario: scenario.name, mode: 'stream', summary: summarise(stream) });
      process.stderr.write(`done: ${scenario.name}\n`);
    }
    printTable(rows, ((performance.now() - started) / 1000).toFixed(0));
  } finally {
    await platform.stop();
  }
}

function failures(s: Summary): string {
  return Number.isNaN(s.failureP50) ? s.failures : `${s.failures} (p50 ${s.failureP50.toFixed(1)} ms)`;
}

function printTable(rows: Row[], seconds: string): void {
  const ms = (v: number) => (Number.isNaN(v) ? 'n/a' : `${v.toFixed(1)} ms`);
  const added = (v: number, base: number | undefined) => (base === undefined || Number.isNaN(v) || Number.isNaN(base) ? 'n/a' : `${v - base >= 0 ? '+' : ''}${(v - base).toFixed(1)} ms`);
  const baseline = (mode: Row['mode']) => rows.find((r) => r.mode === mode)?.summary;
  console.log(
    `\nTokenFlow under upstream failures — ${requests} plain + ${streamRequests} streamed deepseek-v3 requests per scenario at concurrency ${concurrency}, ` +
      `body fallbacks [${fallbacks.join(', ')}], MOCK_SEED ${process.env.MOCK_SEED ?? '1'}, Node ${process.version}, ${seconds} s in all\n`,
  );
  console.log('| scenario | mode | success | p50 | p99 | added p50 | added p99 | attempts mean | attempts max | answered by | failures |');
  console.log('|---|---|---|---|---|---|---|---|---|---|---|');
  for (const { scenario, mode, summary: s } of rows) {
    const base = baseline(mode);
    console.log(
      `| ${scenario} | ${mode} | ${(s.okShare * 100).toFixed(1)}% | ${ms(s.p50)} | ${ms(s.p99)} | ${added(s.p50, base?.p50)} | ${added(s.p99, base?.p99)} | ` +
        `${s.attemptsMean?.toFixed(2) ?? 'n/a'} | ${s.attemptsMax ?? 'n/a'} | ${s.servedBy} | ${failures(s)} |`,
    );
  }
  console.log(
    `\nLatency: successful requests, to the end of the body; "added": against the baseline of the same mode. Attempts: ` +
      `x-tokenflow-attempts over all requests (n/a: the gateway did not send it). Failures: client-visible status × count ` +
      `and their median latency. Random failures: deepseek 500, qwen overloaded (503), zhipu 429 (retry-after 1 s).`,
  );
}

main().catch((err: Error) => {
  console.error(`bench failed: ${err.message}`);
  process.exit(1);
});
