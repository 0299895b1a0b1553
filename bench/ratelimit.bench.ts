/**
 * `npm run bench:ratelimit`: the latency the limiter adds to a request (p50/p99 of `tf.ratelimit.acquire.v1` through
 * NATS, with RPM, TPM, concurrency and a per-model limit on the key and an account RPM: six buckets in one script),
 * sequential and 50 in flight, and its throughput. Env: BENCH_ACQUIRES (default 10000).
 */
import { type RateLimitAcquireRequest, Subjects } from '@tokenflow/contracts';
import { NatsBus } from '@tokenflow/messaging';
import { testUrls } from '@tokenflow/testing';
import { ProcessGroup } from '@tokenflow/tools';
import { resolve } from 'node:path';

const ACQUIRES = Number(process.env.BENCH_ACQUIRES ?? 10_000);

const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];

async function main(): Promise<void> {
  const root = resolve(__dirname, '..', '..');
  const namespace = `benchrl_${process.pid}`;
  const env = { ...process.env, NATS_URL: testUrls.nats, REDIS_URL: testUrls.redis, TF_NAMESPACE: namespace, LOG_LEVEL: 'warn' };
  const group = new ProcessGroup({ root, env, output: () => undefined });
  const bus = await NatsBus.connect({ url: testUrls.nats, name: 'bench-ratelimit', namespace });
  try {
    await group.startAndWait('ratelimit');
    const request = (i: number): RateLimitAcquireRequest => ({
      requestId: `r-${i}`,
      accountId: `acct-${i % 20}`,
      keyId: `key-${i % 20}`,
      model: 'deepseek-v3',
      estimatedTokens: 1_500,
      key: { rpm: 1_000_000, tpm: 1_000_000_000, maxConcurrency: 1_000, models: { 'deepseek-v3': { rpm: 1_000_000, tpm: null } } },
      account: { rpm: 1_000_000, tpm: null, maxConcurrency: null, models: null },
    });
    const acquire = async (i: number) => {
      await bus.request(Subjects.ratelimitAcquire, request(i));
      bus.emit(Subjects.ratelimitRelease, { requestId: `r-${i}`, accountId: `acct-${i % 20}`, refundTokens: false });
    };
    for (let i = 0; i < 500; i++) await acquire(10_000_000 + i); // warm-up
    const seq: number[] = [];
    for (let i = 0; i < ACQUIRES; i++) {
      const t = process.hrtime.bigint();
      await acquire(i);
      seq.push(Number(process.hrtime.bigint() - t) / 1e6);
    }
    seq.sort((a, b) => a - b);
    const conc: number[] = [];
    const started = Date.now();
    let next = ACQUIRES;
    await Promise.all(
      Array.from({ length: 50 }, async () => {
        while (next < ACQUIRES * 2) {
          const i = next++;
          const t = process.hrtime.bigint();
          await acquire(i);
          conc.push(Number(process.hrtime.bigint() - t) / 1e6);
        }
      }),
    );
    const seconds = (Date.now() - started) / 1000;
    conc.sort((a, b) => a - b);
    console.log(`\nTokenFlow rate-limiter benchmark — Node ${process.version}, one ratelimit replica, six buckets per request\n`);
    console.log('| measure | result |');
    console.log('|---|---|');
    console.log(`| acquire, sequential (${ACQUIRES}) | p50 ${percentile(seq, 50).toFixed(2)} ms, p99 ${percentile(seq, 99).toFixed(2)} ms |`);
    console.log(`| acquire, 50 in flight (${ACQUIRES}) | p50 ${percentile(conc, 50).toFixed(2)} ms, p99 ${percentile(conc, 99).toFixed(2)} ms, ${Math.round(ACQUIRES / seconds)} acquires/s |`);
  } finally {
    await bus.close();
    await group.stopAll();
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
