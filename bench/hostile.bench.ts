/**
 * `npm run bench:hostile`: what hostile inputs cost everybody else. Boots the whole platform like `npm start` (own
 * namespace and database), plus an upstream that answers with hostile streams, then for each input of
 * `hostileCases()` sends 1, then 10 copies at once, and meanwhile sends normal chat requests one after another on the
 * same replicas. Reports how long the hostile requests took to be answered, the normal requests' p50 and worst
 * latency while they were in flight, and the ingress event loop's worst lag (prom-client's
 * `nodejs_eventloop_lag_max_seconds`, scraped before and after). Target: normal < 50 ms, lag < 50 ms.
 */
import { HOSTILE_MODELS, hostileCases, sendFromWorker, startHostileUpstream } from '@tokenflow/testing';
import { startBenchPlatform } from './bench-platform';

async function main(): Promise<void> {
  const platform = await startBenchPlatform('hostile', { LOG_LEVEL: 'warn' });
  const upstream = await startHostileUpstream();
  try {
    const { gateway, adminKey, key, accountId } = platform;
    const admin = (method: string, path: string, body: unknown) =>
      fetch(`${gateway}${path}`, {
        method,
        headers: { authorization: `Bearer ${adminKey}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
    // The bench database outlives a run: an earlier run's channel points at an upstream that is gone.
    const channels = (await (await admin('GET', '/admin/v1/channels', undefined)).json()) as { data: { id: string; name: string }[] };
    for (const old of channels.data.filter((c) => c.name === 'hostile')) await admin('DELETE', `/admin/v1/channels/${old.id}`, undefined);
    const created = await admin('POST', '/admin/v1/channels', { name: 'hostile', provider: 'openai-compatible', base_url: upstream.url, api_keys: ['sk-hostile'], models: HOSTILE_MODELS });
    if (created.status !== 201) throw new Error(`channel: ${created.status} ${await created.text()}`);
    for (const model of HOSTILE_MODELS) await admin('PUT', `/admin/v1/models/${model}/price`, { input_usd_per_mtok: '0.01', output_usd_per_mtok: '0.01' });
    await admin('POST', `/admin/v1/accounts/${accountId}/credits`, { amount_usd: '10000.00' });

    const normal = async () => {
      const started = performance.now();
      const res = await fetch(`${gateway}/v1/chat/completions`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` },
        body: JSON.stringify({ model: 'deepseek-v3', messages: [{ role: 'user', content: 'Say something short.' }] }),
      });
      await res.arrayBuffer();
      return performance.now() - started;
    };
    const lag = async () => Number(/^nodejs_eventloop_lag_max_seconds\{[^}]*\} (\S+)$/m.exec(await (await fetch(`${gateway}/metrics`)).text())?.[1]) * 1000;

    for (let i = 0; i < 50; i++) await normal();
    const quiet: number[] = [];
    for (let i = 0; i < 100; i++) quiet.push(await normal());
    const rows: string[] = [];
    for (const c of hostileCases()) {
      for (const copies of [1, 10]) {
        await lag();
        let inFlight = true;
        const hostile = sendFromWorker(gateway, key, c, copies).finally(() => (inFlight = false));
        const latencies: number[] = [];
        while (inFlight || latencies.length < 5) latencies.push(await normal());
        const answers = await hostile;
        const wrong = answers.find((a) => a.status !== c.expectStatus);
        if (wrong) throw new Error(`${c.name}: ${wrong.status}, expected ${c.expectStatus}: ${wrong.text.slice(0, 200)}`);
        const took = answers.map((a) => a.ms);
        const worstLag = await lag();
        rows.push(
          `| ${c.name} | ${copies} | ${c.expectStatus} in ${Math.max(...took).toFixed(0)} ms | ${pct(latencies, 50).toFixed(1)} ms | ${Math.max(...latencies).toFixed(1)} ms | ${latencies.length} | ${worstLag.toFixed(1)} ms |`,
        );
        process.stderr.write(`done: ${c.name} ×${copies}\n`);
      }
    }
    console.log(`\nHostile inputs — normal chat requests meanwhile (quiet: p50 ${pct(quiet, 50).toFixed(1)} ms, p99 ${pct(quiet, 99).toFixed(1)} ms), Node ${process.version}\n`);
    console.log('| input | copies | answered (slowest) | normal p50 | normal worst | normal requests | ingress loop lag max |');
    console.log('|---|---|---|---|---|---|---|');
    for (const r of rows) console.log(r);
  } finally {
    await platform.stop();
    await upstream.close();
  }
}

function pct(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

main().catch((err: Error) => {
  console.error(`bench failed: ${err.message}`);
  process.exit(1);
});
