/**
 * `npm run bench`: the latency TokenFlow adds over calling the (mock) upstream directly, and throughput.
 * Boots the whole platform like `npm start` (own namespace and database), then for each concurrency runs the same
 * request straight at the mock provider and through TokenFlow, streaming and not, with autocannon.
 * Env: BENCH_DURATION_S (default 8), BENCH_CONCURRENCY (default "1,10,50").
 */
import autocannon from 'autocannon';
import { startBenchPlatform } from './bench-platform';

const duration = Number(process.env.BENCH_DURATION_S ?? 8);
const concurrencies = (process.env.BENCH_CONCURRENCY ?? '1,10,50').split(',').map(Number);

interface Row {
  mode: 'json' | 'stream';
  concurrency: number;
  direct: autocannon.Result;
  gateway: autocannon.Result;
}

async function run(url: string, headers: Record<string, string>, body: object, connections: number): Promise<autocannon.Result> {
  const result = await autocannon({
    url,
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
    connections,
    duration,
  });
  if (result.non2xx > 0 || result.errors > 0) throw new Error(`${url}: ${result.non2xx} non-2xx, ${result.errors} errors`);
  return result;
}

async function main(): Promise<void> {
  const platform = await startBenchPlatform('latency');
  try {
    const { gateway, mock, key } = platform;
    const messages = [{ role: 'user', content: 'Benchmark: say something short.' }];
    const rows: Row[] = [];
    // Warm up pools, caches and JIT on both paths.
    await run(`${gateway}/v1/chat/completions`, { authorization: `Bearer ${key}` }, { model: 'deepseek-v3', messages }, 10);
    for (const mode of ['json', 'stream'] as const) {
      for (const c of concurrencies) {
        const stream = mode === 'stream' ? { stream: true } : {};
        const direct = await run(`${mock}/v1/chat/completions`, { authorization: 'Bearer sk-bench' }, { model: 'deepseek-chat', messages, ...stream }, c);
        const gw = await run(`${gateway}/v1/chat/completions`, { authorization: `Bearer ${key}` }, { model: 'deepseek-v3', messages, ...stream }, c);
        rows.push({ mode, concurrency: c, direct, gateway: gw });
        process.stderr.write(`done: ${mode} c=${c}\n`);
      }
    }
    console.log(`\nTokenFlow latency benchmark — ${duration}s per cell, mock upstream (16 tokens, no delay), Node ${process.version}\n`);
    console.log('| mode | conc. | direct p50 | direct p99 | via TokenFlow p50 | via p99 | added p50 | added p99 | direct req/s | via req/s |');
    console.log('|---|---|---|---|---|---|---|---|---|---|');
    for (const r of rows) {
      const d = r.direct.latency;
      const g = r.gateway.latency;
      console.log(
        `| ${r.mode} | ${r.concurrency} | ${d.p50} ms | ${d.p99} ms | ${g.p50} ms | ${g.p99} ms | ${(g.p50 - d.p50).toFixed(1)} ms | ${(g.p99 - d.p99).toFixed(1)} ms | ${Math.round(r.direct.requests.average)} | ${Math.round(r.gateway.requests.average)} |`,
      );
    }
  } finally {
    await platform.stop();
  }
}

main().catch((err: Error) => {
  console.error(`bench failed: ${err.message}`);
  process.exit(1);
});
