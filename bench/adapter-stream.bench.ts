/**
 * `npm run bench:adapter`: what the provider adapter costs per streamed chunk, for each provider's wire format.
 *
 * 1. Decode: the provider's recorded stream (2,000 tokens, taken from the mock provider in that provider's format)
 *    replayed in-process through the same relay and decoder the adapter runs, frame encoding included.
 * 2. End to end: the same stream fetched straight from the mock, and through a running adapter over NATS
 *    (invoke → frames on an inbox until `end`); the difference divided by the chunk count is the adapter's added
 *    time per chunk, NATS hop included.
 * Env: BENCH_TOKENS (default 2000), BENCH_RUNS (default 7).
 */
import type { Attempt, Provider, StreamFrame } from '@tokenflow/contracts';
import { Streams, Subjects, upstreamKeyFingerprint, USAGE_STREAM } from '@tokenflow/contracts';
import { NatsBus } from '@tokenflow/messaging';
import { testUrls } from '@tokenflow/testing';
import { MOCK_PATHS, SEED_MODELS } from '@tokenflow/tools';
import { createMockProviderApp } from '../apps/mock-provider/src/mock-provider.app';
import { createAdapterApp } from '../apps/provider-adapter/src/adapter.app';
import { adapterEnvSchema } from '../apps/provider-adapter/src/config';
import { relayStream } from '../apps/provider-adapter/src/invoke/stream-relay';
import { StreamTally } from '../apps/provider-adapter/src/invoke/stream-tally';
import { StreamWatchdog } from '../apps/provider-adapter/src/invoke/stream-watchdog';
import { providerFor } from '../apps/provider-adapter/src/providers/provider.registry';

const tokens = Number(process.env.BENCH_TOKENS ?? 2000);
const runs = Number(process.env.BENCH_RUNS ?? 7);

/** One seed model per provider, on the mock path that speaks that provider's format. */
const PROVIDERS: { id: Provider; path: string; model: string }[] = [...new Set(SEED_MODELS.map((m) => m.provider))].map((id) => ({
  id,
  path: MOCK_PATHS[id],
  model: SEED_MODELS.find((m) => m.provider === id)!.upstream,
}));

/** The bench channel's one upstream key: the adapter resolves it from `keyRef` through the router (played here). */
const BENCH_KEY = 'sk-bench-0123456789';

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

function attemptFor(p: (typeof PROVIDERS)[number], mockUrl: string): Attempt {
  return {
    channelId: 'bench',
    channelName: 'bench',
    provider: p.id,
    baseUrl: `${mockUrl}${p.path}`,
    apiKey: BENCH_KEY,
    upstreamModel: `${p.model}+tokens=${tokens}+tps=0+ttft=0`,
    timeouts: { connectMs: 5_000, firstByteMs: 30_000, idleMs: 30_000 },
  };
}

const body = () => ({ model: 'bench', messages: [{ role: 'user', content: 'Write a long story.' }], max_tokens: tokens * 2 });

/** The upstream stream exactly as the adapter would receive it (the provider's own request, its own bytes). */
async function fetchDirect(attempt: Attempt): Promise<{ buffers: Buffer[]; ms: number }> {
  const req = providerFor(attempt.provider).chat.buildRequest(attempt, body());
  const started = performance.now();
  const res = await fetch(req.url, { method: 'POST', headers: req.headers, body: req.body });
  if (!res.ok || !res.body) throw new Error(`${attempt.provider}: HTTP ${res.status} ${await res.text()}`);
  const buffers: Buffer[] = [];
  for await (const b of res.body) buffers.push(Buffer.from(b));
  return { buffers, ms: performance.now() - started };
}

async function* replay(buffers: Buffer[]): AsyncGenerator<Buffer> {
  for (const b of buffers) yield b;
}

/** In-process: relay + decoder + frame encoding, as the adapter does per chunk. Returns µs per chunk. */
async function decodeCost(provider: Provider, buffers: Buffer[]): Promise<{ chunks: number; usPerChunk: number }> {
  const samples: number[] = [];
  let chunks = 0;
  for (let i = 0; i < runs + 2; i++) {
    const tally = new StreamTally();
    const watchdog = new StreamWatchdog({ firstByteMs: 60_000, idleMs: 60_000 });
    let seq = 0;
    let bytes = 0;
    const started = performance.now();
    const stream = Object.assign(replay(buffers), { destroy: () => undefined });
    await relayStream(stream, providerFor(provider).chat.createDecoder(), {
      watchdog,
      tally,
      emit: (batch) => {
        bytes += JSON.stringify({ type: 'chunks', seq: seq++, data: batch.map((chunk) => ({ ...chunk, model: 'bench' })) }).length;
      },
    });
    const ms = performance.now() - started;
    watchdog.stop();
    if (bytes === 0) throw new Error('nothing decoded');
    chunks = tally.chunks;
    if (i >= 2) samples.push((ms * 1000) / chunks); // the first runs warm the JIT
  }
  return { chunks, usPerChunk: median(samples) };
}

/** Through a running adapter: invoke over NATS and read frames until `end`. */
async function viaAdapter(bus: NatsBus, attempt: Attempt): Promise<{ ms: number; chunks: number }> {
  // What crosses the bus is the plan's attempt: the key by reference, resolved by the adapter (cached after the first).
  const { apiKey, ...rest } = attempt;
  const planned = { ...rest, keyRef: upstreamKeyFingerprint(apiKey) };
  const inbox = bus.openInbox();
  const requestId = `bench_${Math.random().toString(16).slice(2)}`;
  const started = performance.now();
  await bus.request(Subjects.adapterInvoke, {
    requestId,
    attemptNo: 1,
    attempt: planned,
    body: body(),
    size: { promptTokens: 20, promptReserve: 20, outputTokens: 2_000 },
    inbox: inbox.subject,
    accountId: '00000000-0000-4000-8000-000000000001',
    keyId: '00000000-0000-4000-8000-000000000002',
    model: 'bench',
    price: { inputNanoPerToken: '1', outputNanoPerToken: '1' },
  }, { ctx: { deadline: Date.now() + 60_000 } });
  let chunks = 0;
  for (;;) {
    const f: StreamFrame = await inbox.next(30_000);
    if (f.type === 'chunk') chunks++;
    else if (f.type === 'end') break;
    else throw new Error(`${attempt.provider}: ${f.error.message}`);
  }
  inbox.close();
  return { ms: performance.now() - started, chunks };
}

async function main(): Promise<void> {
  const namespace = `bench_adapter_${process.pid}`;
  const mock = await createMockProviderApp({ port: 0 });
  const adapter = await createAdapterApp(adapterEnvSchema.parse({ NATS_URL: testUrls.nats, TF_NAMESPACE: namespace, LOG_LEVEL: 'error' }));
  const bus = await NatsBus.connect({ url: testUrls.nats, name: 'bench-adapter', namespace });
  // Billing's part: the usage stream the adapter publishes to.
  await bus.durable.ensureStream(Streams.usage);
  // The router's part: the bench channel's key by reference.
  bus.serve(Subjects.routerChannelKeys, () => ({ keys: [{ ref: upstreamKeyFingerprint(BENCH_KEY), apiKey: BENCH_KEY }] }));
  await bus.flush();
  const rows: string[] = [];
  try {
    for (const p of PROVIDERS) {
      const attempt = attemptFor(p, mock.url);
      const recorded = await fetchDirect(attempt);
      const decode = await decodeCost(p.id, recorded.buffers);
      const direct: number[] = [];
      const via: number[] = [];
      let chunks = 0;
      for (let i = 0; i < runs + 1; i++) {
        const d = await fetchDirect(attempt);
        const v = await viaAdapter(bus, attempt);
        chunks = v.chunks;
        if (i > 0) {
          direct.push(d.ms);
          via.push(v.ms);
        }
      }
      const added = median(via) - median(direct);
      rows.push(
        `| ${p.id} | ${chunks} | ${decode.usPerChunk.toFixed(1)} µs | ${median(direct).toFixed(1)} ms | ${median(via).toFixed(1)} ms | ${((added * 1000) / chunks).toFixed(1)} µs |`,
      );
      process.stderr.write(`done: ${p.id}\n`);
    }
    console.log(`\nTokenFlow adapter per-chunk overhead — ${tokens}-token streams from the mock provider, median of ${runs} runs, Node ${process.version}\n`);
    console.log('| provider | chunks | decode + relay per chunk (in-process) | direct stream | via adapter (NATS) | added per chunk |');
    console.log('|---|---|---|---|---|---|');
    for (const r of rows) console.log(r);
  } finally {
    await bus.durable.deleteStream(USAGE_STREAM).catch(() => undefined);
    await bus.close();
    await adapter.close();
    await mock.close();
  }
}

main().catch((err: Error) => {
  console.error(`bench failed: ${err.message}`);
  process.exit(1);
});
