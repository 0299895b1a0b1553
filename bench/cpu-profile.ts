/**
 * Where one request's CPU goes, per service and per NATS hop (docs/performance.md). Four modes:
 *
 *   node dist/bench/cpu-profile.js load [DIR]  boots the platform (like `npm run bench`), warms it up, then sends
 *       CPU_JSON requests and CPU_STREAM streamed requests (default 5000 / 2000, CPU_CONCURRENCY 10) and prints each
 *       process's CPU per request from /proc/<pid>/stat (utime+stime), TokenFlow's five services, the mock, and the
 *       shared NATS/Redis/Postgres servers. With DIR, every service also runs V8's sampling profiler (the one behind
 *       --cpu-prof, 1 ms interval), started and stopped around each phase over the inspector by a preload, and
 *       writes DIR/<app>.<phase>.cpuprofile. (--cpu-prof itself never writes: Nest re-raises SIGTERM on shutdown.)
 *   node dist/bench/cpu-profile.js analyse DIR  self time by function (top CPU_TOP, default 15) and by category,
 *       for every profile in DIR.
 *   node dist/bench/cpu-profile.js hops  boots the platform and watches every message of its namespace on a
 *       separate NATS connection (`>`) while the same load runs: messages and bytes per request for each hop, and the
 *       request→reply time the server saw (responder's queueing + handling). Not to be mixed with CPU numbers.
 *   node dist/bench/cpu-profile.js echo  the cost of one NatsBus request/reply itself (encode, headers, NATS,
 *       decode) on each side, by payload size, against a responder process that only echoes.
 */
import { execSync, fork } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import autocannon from 'autocannon';
import { connect, type Msg } from '@nats-io/transport-node';
import { type RequestMap, Subjects } from '@tokenflow/contracts';
import { NatsBus } from '@tokenflow/messaging';
import { testUrls } from '@tokenflow/testing';
import { startBenchPlatform } from './bench-platform';

const JSON_REQUESTS = Number(process.env.CPU_JSON ?? 5_000);
const STREAM_REQUESTS = Number(process.env.CPU_STREAM ?? 2_000);
const CONCURRENCY = Number(process.env.CPU_CONCURRENCY ?? 10);
const TOP = Number(process.env.CPU_TOP ?? 15);
const IDLE_MS = 5_000;
const TRAIL_MS = 1_500;
const MESSAGES = [{ role: 'user', content: 'Benchmark: say something short.' }];
const TOKENFLOW = ['ingress', 'router', 'ratelimit', 'billing', 'provider-adapter'];

// ---------------------------------------------------------------------------------------------------------------
// load: CPU per request per process

/** Starts/stops the V8 profiler on SIGWINCH (ignored by default, and not among the signals Nest shuts down on); the phase name is read from DIR/.phase when it stops. */
const PRELOAD = `
const inspector = require('node:inspector');
const fs = require('node:fs');
const path = require('node:path');
const dir = process.env.TF_CPU_PROFILE_DIR;
const app = (process.argv[1] || '').split(path.sep).slice(-3, -2)[0] || 'node';
let session = null;
process.on('SIGWINCH', () => {
  if (!session) {
    session = new inspector.Session();
    session.connect();
    session.post('Profiler.enable', () => session.post('Profiler.setSamplingInterval', { interval: 1000 }, () => session.post('Profiler.start')));
    return;
  }
  const s = session;
  session = null;
  s.post('Profiler.stop', (err, res) => {
    const phase = fs.readFileSync(path.join(dir, '.phase'), 'utf8').trim();
    if (!err) fs.writeFileSync(path.join(dir, app + '.' + phase + '.cpuprofile'), JSON.stringify(res.profile));
    s.disconnect();
  });
});
`;

interface Proc {
  name: string;
  pids: number[];
  /** One of the platform's own services (profiled), not a shared server. */
  app: boolean;
}

const CLK_TCK = Number(execSync('getconf CLK_TCK').toString().trim()) || 100;

/** utime + stime of a process (all its threads), in ms; 0 if it is gone. */
function cpuMs(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / CLK_TCK;
  } catch {
    return 0;
  }
}

function childrenOf(pid: number): number[] {
  const out: number[] = [];
  for (const tid of readdirSync(`/proc/${pid}/task`)) {
    const text = readFileSync(`/proc/${pid}/task/${tid}/children`, 'utf8').trim();
    if (text) out.push(...text.split(' ').map(Number));
  }
  return out;
}

function processesNamed(comm: string): number[] {
  return readdirSync('/proc')
    .filter((d) => /^\d+$/.test(d))
    .map(Number)
    .filter((pid) => {
      try {
        return readFileSync(`/proc/${pid}/comm`, 'utf8').trim() === comm;
      } catch {
        return false;
      }
    });
}

/** The platform's services (children of this process, by their entry point) and the shared servers. */
function findProcesses(): Proc[] {
  const apps: Proc[] = [];
  for (const pid of childrenOf(process.pid)) {
    const cmd = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
    const m = /dist\/apps\/([^/]+)\/src\/main\.js/.exec(cmd);
    if (m) apps.push({ name: m[1], pids: [pid], app: true });
  }
  return [
    ...apps,
    { name: 'nats-server (shared)', pids: processesNamed('nats-server'), app: false },
    { name: 'redis-server (shared)', pids: processesNamed('redis-server'), app: false },
    { name: 'postgres (backends of tokenflow_bench)', pids: benchBackends(), app: false },
  ];
}

/** Postgres backends serving the bench database (their process title names it); other databases are other runs'. */
function benchBackends(): number[] {
  return processesNamed('postgres').filter((pid) => {
    try {
      return readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(' tokenflow_bench ');
    } catch {
      return false;
    }
  });
}

type Snapshot = Map<string, Map<number, number>>;

/** CPU ms of every process by pid. Pool connections to Postgres open lazily: its backends are listed anew. */
function snapshot(procs: Proc[]): Snapshot {
  const pg = procs.find((p) => p.name.startsWith('postgres'));
  if (pg) pg.pids = benchBackends();
  return new Map(procs.map((p) => [p.name, new Map(p.pids.map((pid) => [pid, cpuMs(pid)]))]));
}

/** CPU used by `name` between two snapshots; a process that appeared in between counts from its start. */
function used(before: Snapshot, after: Snapshot, name: string): number {
  let sum = 0;
  for (const [pid, ms] of after.get(name) ?? []) sum += ms - (before.get(name)?.get(pid) ?? 0);
  return sum;
}

interface Target {
  /** Base URL: the gateway, or the mock provider directly. */
  url: string;
  key: string;
  model: string;
}

async function drive(target: Target, stream: boolean, amount: number, connections: number): Promise<autocannon.Result> {
  const result = await autocannon({
    url: `${target.url}/v1/chat/completions`,
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${target.key}` },
    body: JSON.stringify({ model: target.model, messages: MESSAGES, ...(stream ? { stream: true } : {}) }),
    connections,
    amount,
  });
  if (result.non2xx > 0 || result.errors > 0) throw new Error(`${target.url}: ${result.non2xx} non-2xx, ${result.errors} errors`);
  return result;
}

function gatewayOf(platform: { gateway: string; key: string }): Target {
  return { url: platform.gateway, key: platform.key, model: 'deepseek-v3' };
}

function signalAll(procs: Proc[], signal: NodeJS.Signals): void {
  for (const p of procs) if (p.app) for (const pid of p.pids) process.kill(pid, signal);
}

async function waitForFiles(files: string[], timeoutMs = 20_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (files.some((f) => !existsSync(f)) && Date.now() < until) await new Promise((r) => setTimeout(r, 100));
}

async function load(profileDir: string | undefined): Promise<void> {
  const extraEnv: NodeJS.ProcessEnv = {};
  if (profileDir) {
    const preload = join(profileDir, '.preload.cjs');
    writeFileSync(preload, PRELOAD);
    Object.assign(extraEnv, { NODE_OPTIONS: `--require ${preload}`, TF_CPU_PROFILE_DIR: profileDir });
  }
  const platform = await startBenchPlatform('cpu', extraEnv);
  try {
    const procs = findProcesses();
    const gateway = gatewayOf(platform);
    const direct: Target = { url: platform.mock, key: 'sk-bench', model: 'deepseek-chat' };
    // Warm-up: JIT, pools, caches (auth, channel keys, balance) on both paths.
    await drive(gateway, false, 2_000, CONCURRENCY);
    await drive(gateway, true, 500, CONCURRENCY);
    await drive(direct, false, 1_000, CONCURRENCY);
    // Background CPU with no traffic (timers, NATS pings, JetStream heartbeats, expiry jobs), per second.
    await new Promise((r) => setTimeout(r, 1_000));
    const idleFrom = snapshot(procs);
    const idleStart = performance.now();
    await new Promise((r) => setTimeout(r, IDLE_MS));
    const idleTo = snapshot(procs);
    const idleSeconds = (performance.now() - idleStart) / 1000;
    const idlePerSecond = new Map(procs.map((p) => [p.name, used(idleFrom, idleTo, p.name) / idleSeconds]));
    const phases: { name: string; target: Target; stream: boolean; n: number }[] = [
      { name: 'json', target: gateway, stream: false, n: JSON_REQUESTS },
      { name: 'stream', target: gateway, stream: true, n: STREAM_REQUESTS },
      { name: 'direct-json', target: direct, stream: false, n: JSON_REQUESTS },
    ];
    const columns: string[] = [];
    const rows = new Map<string, Record<string, number>>();
    const put = (name: string, column: string, value: number) => {
      const row = rows.get(name) ?? {};
      row[column] = value;
      rows.set(name, row);
      if (!columns.includes(column)) columns.push(column);
    };
    const rates: Record<string, number> = {};
    for (const phase of phases) {
      // Let the previous phase's settlement batches (JetStream → billing, ratelimit) finish first.
      await new Promise((r) => setTimeout(r, 1_000));
      if (profileDir) {
        writeFileSync(join(profileDir, '.phase'), phase.name);
        signalAll(procs, 'SIGWINCH');
        await new Promise((r) => setTimeout(r, 200));
      }
      const before = snapshot(procs);
      const self = process.cpuUsage();
      const started = performance.now();
      const result = await drive(phase.target, phase.stream, phase.n, CONCURRENCY);
      rates[phase.name] = (result.requests.total / (performance.now() - started)) * 1000;
      // Work that trails the responses (usage events settled in batches) belongs to these requests too.
      await new Promise((r) => setTimeout(r, TRAIL_MS));
      const after = snapshot(procs);
      const seconds = (performance.now() - started) / 1000;
      const driver = process.cpuUsage(self);
      for (const p of procs) {
        const raw = used(before, after, p.name);
        put(p.name, `${phase.name} raw`, raw / phase.n);
        put(p.name, `${phase.name} net`, Math.max(0, raw - (idlePerSecond.get(p.name) ?? 0) * seconds) / phase.n);
      }
      put('load driver (autocannon)', `${phase.name} raw`, (driver.user + driver.system) / 1000 / phase.n);
      if (profileDir) {
        signalAll(procs, 'SIGWINCH');
        await waitForFiles(procs.filter((p) => p.app).map((p) => join(profileDir, `${p.name}.${phase.name}.cpuprofile`)));
      }
      process.stderr.write(`done: ${phase.name} (${phase.n} requests)\n`);
    }
    for (const p of procs) put(p.name, 'idle ms/s', idlePerSecond.get(p.name) ?? 0);
    console.log(`\nCPU per request (ms), /proc utime+stime, ${CONCURRENCY} connections, CLK_TCK ${CLK_TCK}${profileDir ? ', PROFILER ON' : ''}`);
    console.log(`net = raw minus the idle rate over the phase (${TRAIL_MS} ms of trailing settlement included)\n`);
    console.log(`| process | ${columns.join(' | ')} |`);
    console.log(`|---|${columns.map(() => '---:').join('|')}|`);
    const fmt = (v: number | undefined) => (v === undefined ? '' : v.toFixed(3));
    for (const [name, row] of rows) console.log(`| ${name} | ${columns.map((c) => fmt(row[c])).join(' | ')} |`);
    const total = (c: string) => TOKENFLOW.reduce((sum, app) => sum + (rows.get(app)?.[c] ?? 0), 0);
    console.log(`| **TokenFlow (5 services)** | ${columns.map((c) => fmt(total(c))).join(' | ')} |`);
    console.log(`| req/s (this run) | ${columns.map((c) => (c.endsWith(' raw') ? String(Math.round(rates[c.slice(0, -4)])) : '')).join(' | ')} |`);
  } finally {
    await platform.stop();
  }
}

// ---------------------------------------------------------------------------------------------------------------
// analyse: self time by function and by category

interface CallFrame {
  functionName: string;
  url: string;
  lineNumber: number;
}

interface ProfileNode {
  id: number;
  callFrame: CallFrame;
  children?: number[];
}

interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
  startTime: number;
  endTime: number;
}

/** First match wins, for each frame from the sampled one up its stack; generic frames (Node core) are skipped. */
const CATEGORIES: [string, (f: CallFrame) => boolean][] = [
  ['NATS async-trace Errors', (f) => /@nats-io\/nats-core\/lib\/errors/.test(f.url) && /^(RequestError|TimeoutError)$/.test(f.functionName)],
  ['upstream SSE parse + chunk decode', (f) => /openai\/src\/sse|stream\.decoder|stream-relay|chunk-guard|stream-tally/.test(f.url)],
  ['answer assembly / SSE encode', (f) => /completion-assembler|stream\.format|openai\/src\/sse|message-stream\.encoder|json-completion\.tracker/.test(f.url)],
  ['JSON encode/decode', (f) => (!f.url && /^(parse|stringify)$/.test(f.functionName)) || /messaging\/src\/codec|secure-json-parse|fast-json-stringify|json-body\.parser|sliced-json|json-scan/.test(f.url)],
  ['zod validation', (f) => /node_modules\/zod\//.test(f.url)],
  ['tokenizer', (f) => /gpt-tokenizer|token-count|token-counter/.test(f.url)],
  ['pino logging', (f) => /node_modules\/(pino|sonic-boom|thread-stream)|observability\/src\/logger/.test(f.url)],
  ['ioredis', (f) => /node_modules\/(ioredis|redis-parser|@ioredis)/.test(f.url)],
  ['pg/TypeORM', (f) => /node_modules\/(pg|pg-protocol|pg-pool|typeorm)\//.test(f.url)],
  ['JetStream client', (f) => /@nats-io\/jetstream|messaging\/src\/durable-streams/.test(f.url)],
  ['NATS client + bus', (f) => /@nats-io\/|messaging\/src\//.test(f.url)],
  ['Fastify/Nest', (f) => /node_modules\/(fastify|@fastify|find-my-way|avvio|light-my-request|@nestjs|rxjs)\//.test(f.url)],
  ['undici (upstream HTTP)', (f) => /node_modules\/undici\//.test(f.url)],
  ['prom-client', (f) => /prom-client/.test(f.url)],
  ['other deps', (f) => /node_modules\//.test(f.url)],
  ['TokenFlow code', (f) => /\/(apps|libs)\//.test(f.url)],
];

const SPECIAL: Record<string, string> = { '(idle)': 'idle', '(garbage collector)': 'GC', '(program)': 'V8/native (program)', '(root)': 'V8/native (program)' };

function shortUrl(url: string): string {
  if (!url) return '(native)';
  const nm = url.lastIndexOf('node_modules/');
  if (nm >= 0) return url.slice(nm + 'node_modules/'.length);
  const dist = url.indexOf('/dist/');
  if (dist >= 0) return url.slice(dist + '/dist/'.length);
  return url.replace(/^file:\/\//, '');
}

interface Breakdown {
  totalMs: number;
  busyMs: number;
  byFunction: Map<string, number>;
  /** The category each function's samples fell in (the first seen). */
  functionCategory: Map<string, string>;
  byCategory: Map<string, number>;
}

function analyseProfile(profile: CpuProfile): Breakdown {
  const byId = new Map<number, ProfileNode>(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const categoryOf = new Map<number, string>();
  const classify = (id: number): string => {
    const known = categoryOf.get(id);
    if (known) return known;
    const leaf = byId.get(id)!.callFrame;
    let cat = SPECIAL[leaf.functionName] && !leaf.url ? SPECIAL[leaf.functionName] : '';
    for (let cur: number | undefined = id; !cat && cur !== undefined; cur = parent.get(cur)) {
      const f = byId.get(cur)!.callFrame;
      cat = CATEGORIES.find(([, test]) => test(f))?.[0] ?? '';
    }
    cat ||= /^node:|^internal\//.test(leaf.url) ? 'Node core (http/net/streams/timers)' : 'V8/native (program)';
    categoryOf.set(id, cat);
    return cat;
  };
  const out: Breakdown = { totalMs: 0, busyMs: 0, byFunction: new Map(), functionCategory: new Map(), byCategory: new Map() };
  for (let i = 0; i < profile.samples.length; i++) {
    // A sample stands for the time until the next one.
    const ms = (profile.timeDeltas[i + 1] ?? profile.timeDeltas[i] ?? 0) / 1000;
    const node = byId.get(profile.samples[i])!;
    const f = node.callFrame;
    const cat = classify(node.id);
    out.totalMs += ms;
    if (cat !== 'idle') out.busyMs += ms;
    const fn = `${f.functionName || '(anonymous)'} ${shortUrl(f.url)}${f.url ? `:${f.lineNumber + 1}` : ''}`;
    out.byFunction.set(fn, (out.byFunction.get(fn) ?? 0) + ms);
    if (!out.functionCategory.has(fn)) out.functionCategory.set(fn, cat);
    out.byCategory.set(cat, (out.byCategory.get(cat) ?? 0) + ms);
  }
  return out;
}

function analyse(dir: string): void {
  const files = readdirSync(dir).filter((f) => f.endsWith('.cpuprofile')).sort();
  for (const file of files) {
    const b = analyseProfile(JSON.parse(readFileSync(join(dir, file), 'utf8')) as CpuProfile);
    const pct = (ms: number) => `${((100 * ms) / b.busyMs).toFixed(1)}%`;
    // Samples are taken on a wall-clock interval, so a process waiting for a core still collects them: read the
    // shares, and take absolute CPU from `load` (/proc).
    console.log(`\n### ${basename(file, '.cpuprofile')}: ${b.busyMs.toFixed(0)} ms sampled busy (wall clock) of ${b.totalMs.toFixed(0)} ms\n`);
    console.log('| category | ms | % of busy |\n|---|---:|---:|');
    for (const [cat, ms] of [...b.byCategory].sort((x, y) => y[1] - x[1])) {
      if (cat !== 'idle') console.log(`| ${cat} | ${ms.toFixed(0)} | ${pct(ms)} |`);
    }
    console.log(`\n| top self time | category | ms | % of busy |\n|---|---|---:|---:|`);
    const top = [...b.byFunction].filter(([fn]) => !fn.startsWith('(idle)')).sort((x, y) => y[1] - x[1]).slice(0, TOP);
    for (const [fn, ms] of top) console.log(`| \`${fn}\` | ${b.functionCategory.get(fn)} | ${ms.toFixed(0)} | ${pct(ms)} |`);
  }
}

// ---------------------------------------------------------------------------------------------------------------
// hops: every message of the platform's namespace, per request

interface HopStats {
  msgs: number;
  bytes: number;
  headerBytes: number;
  latencies: number[];
}

/** Hops whose payload names the request (decoded by the sniffer to follow one request through the bus). */
const TIMED: string[] = [Subjects.routerPlan, Subjects.ratelimitAcquire, Subjects.billingHold, Subjects.adapterInvoke];
const STEPS: string[] = TIMED.flatMap((hop) => [hop, `${hop} ↩ reply`]).concat(['first frame', 'last frame']);

function headerBytes(m: Msg): number {
  if (!m.headers) return 0;
  let n = 'NATS/1.0\r\n\r\n'.length;
  for (const [k, values] of m.headers) for (const v of values) n += k.length + v.length + 4;
  return n;
}

function percentile(sorted: number[], p: number): number {
  return sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] : NaN;
}

async function hops(): Promise<void> {
  const ns = `bench_cpuhops_${process.pid}`;
  const stream = `${ns}_TF_USAGE`;
  const platform = await startBenchPlatform('cpuhops', { TF_NAMESPACE: ns });
  const nc = await connect({ servers: testUrls.nats, name: 'cpu-profile-sniffer' });
  try {
    const gateway = gatewayOf(platform);
    await drive(gateway, false, 2_000, CONCURRENCY);
    await drive(gateway, true, 500, CONCURRENCY);
    for (const mode of ['json', 'stream'] as const) {
      await new Promise((r) => setTimeout(r, 1_000));
      const stats = new Map<string, HopStats>();
      const pending = new Map<string, { hop: string; at: number; requestId?: string }>();
      const inboxes = new Map<string, string>();
      /** Per request: when the sniffer saw each step (the critical path of one request through the bus). */
      const timelines = new Map<string, Record<string, number>>();
      const mark = (requestId: string | undefined, step: string, at: number) => {
        if (!requestId) return;
        const t = timelines.get(requestId) ?? {};
        t[step] ??= at;
        timelines.set(requestId, t);
      };
      const record = (hop: string, m: Msg, latency?: number) => {
        const s = stats.get(hop) ?? { msgs: 0, bytes: 0, headerBytes: 0, latencies: [] };
        s.msgs++;
        s.bytes += m.data.length;
        s.headerBytes += headerBytes(m);
        if (latency !== undefined) s.latencies.push(latency);
        stats.set(hop, s);
      };
      const sub = nc.subscribe('>', {
        callback: (err, m) => {
          if (err) return;
          const at = performance.now();
          const s = m.subject;
          if (m.reply?.startsWith(`$JS.ACK.${stream}.`)) {
            // A stream message delivered to a durable consumer keeps its subject; its reply is the ack subject.
            record(`JetStream delivery ${s.slice(ns.length + 1)} → ${m.reply.split('.')[3]}`, m);
          } else if (s.startsWith(`${ns}.`)) {
            const hop = s.slice(ns.length + 1).replace(/(\.v\d+)\..*$/, '$1');
            record(hop, m);
            const body = TIMED.includes(hop) ? (JSON.parse(new TextDecoder().decode(m.data)) as { requestId?: string; inbox?: string }) : {};
            mark(body.requestId, hop, at);
            if (m.reply) pending.set(m.reply, { hop: `${hop} ↩ reply`, at, requestId: body.requestId });
            if (hop === Subjects.adapterInvoke && body.inbox && body.requestId) inboxes.set(body.inbox, body.requestId);
          } else if (s.startsWith(`$JS.ACK.${stream}.`)) {
            record(`JetStream ack ← ${s.split('.')[3]}`, m);
          } else if (s.startsWith('$JS.API.') && s.includes(stream)) {
            record(`JetStream API ${s.split('.').slice(2, 5).join('.')}`, m);
          } else if (pending.has(s)) {
            const p = pending.get(s)!;
            pending.delete(s);
            record(p.hop, m, at - p.at);
            mark(p.requestId, p.hop, at);
          } else if (inboxes.has(s)) {
            const type = (JSON.parse(new TextDecoder().decode(m.data)) as { type: string }).type;
            record(`adapter → ingress frame (${type})`, m);
            mark(inboxes.get(s), 'first frame', at);
            if (type === 'end' || type === 'error') {
              mark(inboxes.get(s), 'last frame', at);
              inboxes.delete(s);
            }
          }
        },
      });
      await nc.flush();
      const n = mode === 'json' ? JSON_REQUESTS : STREAM_REQUESTS;
      const result = await drive(gateway, mode === 'stream', n, CONCURRENCY);
      await new Promise((r) => setTimeout(r, 1_500));
      sub.unsubscribe();
      console.log(`\n### ${mode}: ${n} requests, ${CONCURRENCY} connections: one request's path as the NATS server saw it\n`);
      console.log(`client-side latency (autocannon): p50 ${result.latency.p50} ms, p99 ${result.latency.p99} ms\n`);
      console.log('| segment | p50 ms | p90 ms |\n|---|---:|---:|');
      const complete = [...timelines.values()].filter((t) => STEPS.every((step) => t[step] !== undefined));
      for (let i = 1; i < STEPS.length; i++) {
        const d = complete.map((t) => t[STEPS[i]] - t[STEPS[i - 1]]).sort((a, b) => a - b);
        console.log(`| ${STEPS[i - 1]} → ${STEPS[i]} | ${percentile(d, 50).toFixed(2)} | ${percentile(d, 90).toFixed(2)} |`);
      }
      const whole = complete.map((t) => t[STEPS[STEPS.length - 1]] - t[STEPS[0]]).sort((a, b) => a - b);
      console.log(`| **${STEPS[0]} → ${STEPS[STEPS.length - 1]}** (${complete.length} requests) | ${percentile(whole, 50).toFixed(2)} | ${percentile(whole, 90).toFixed(2)} |`);
      console.log(`\n### ${mode}: ${n} requests, ${CONCURRENCY} connections (server-observed request→reply)\n`);
      console.log('| hop | msgs/req | payload B/msg | header B/msg | reply p50 ms | reply p99 ms |\n|---|---:|---:|---:|---:|---:|');
      for (const [hop, s] of [...stats].sort((a, b) => a[0].localeCompare(b[0]))) {
        const sorted = s.latencies.sort((a, b) => a - b);
        const lat = sorted.length ? `${percentile(sorted, 50).toFixed(2)} | ${percentile(sorted, 99).toFixed(2)}` : ' | ';
        console.log(`| ${hop} | ${(s.msgs / n).toFixed(2)} | ${Math.round(s.bytes / s.msgs)} | ${Math.round(s.headerBytes / s.msgs)} | ${lat} |`);
      }
    }
  } finally {
    await nc.close();
    await platform.stop();
  }
}

// ---------------------------------------------------------------------------------------------------------------
// echo: the bus's own cost per request/reply, each side

type PlanReq = RequestMap[typeof Subjects.routerPlan]['req'];
type PlanRes = RequestMap[typeof Subjects.routerPlan]['res'];
const ECHO_NS = `cpu_echo_${process.env.CPU_ECHO_PARENT ?? process.pid}`;

async function echoServer(): Promise<void> {
  const bus = await NatsBus.connect({ url: testUrls.nats, name: 'cpu-echo-server', namespace: ECHO_NS });
  bus.serve(Subjects.routerPlan, (req) => req as unknown as PlanRes);
  await bus.flush();
  process.send?.({ type: 'ready' });
  process.on('message', (msg: { type: string }) => {
    if (msg.type === 'cpu') process.send?.({ type: 'cpu', usage: process.cpuUsage() });
    if (msg.type === 'stop') void bus.close().then(() => process.exit(0));
  });
}

async function echo(): Promise<void> {
  const child = fork(__filename, ['echo-server'], { env: { ...process.env, CPU_ECHO_PARENT: String(process.pid) } });
  const next = () => new Promise<{ type: string; usage?: NodeJS.CpuUsage }>((resolve) => child.once('message', resolve));
  await next();
  const childCpu = async (): Promise<number> => {
    const reply = next();
    child.send({ type: 'cpu' });
    const u = (await reply).usage!;
    return (u.user + u.system) / 1000;
  };
  const bus = await NatsBus.connect({ url: testUrls.nats, name: 'cpu-echo-client', namespace: ECHO_NS });
  // The same round trip without the bus (no headers) and without the client's per-request Error objects.
  const raw = await connect({ servers: testUrls.nats, name: 'cpu-echo-raw', noAsyncTraces: true });
  const count = 10_000;
  console.log(`\nRequest/reply to an echo responder (NatsBus.serve), ${count} requests each, payload = reply size\n`);
  console.log('| caller | payload | in flight | requester µs CPU/req | responder µs CPU/req | round trip µs (mean) |\n|---|---:|---:|---:|---:|---:|');
  try {
    for (const size of [200, 800, 3_000]) {
      const payload = { requestId: 'req_0123456789abcdef01234567', model: 'x'.repeat(Math.max(1, size - 60)) } as PlanReq;
      const callers: [string, () => Promise<unknown>][] = [
        ['NatsBus.request', () => bus.request(Subjects.routerPlan, payload)],
        ['raw nc.request, noAsyncTraces', async () => JSON.parse(new TextDecoder().decode((await raw.request(bus.subject(Subjects.routerPlan), JSON.stringify(payload), { timeout: 5_000 })).data))],
      ];
      for (const [label, call] of callers) {
        for (const inFlight of [1, 10]) {
          for (let i = 0; i < 500; i++) await call();
          const c0 = await childCpu();
          const self = process.cpuUsage();
          const t0 = performance.now();
          let sent = 0;
          const worker = async () => {
            while (sent < count) {
              sent++;
              await call();
            }
          };
          await Promise.all(Array.from({ length: inFlight }, worker));
          const elapsed = performance.now() - t0;
          const mine = process.cpuUsage(self);
          const theirs = (await childCpu()) - c0;
          console.log(
            `| ${label} | ${size} B | ${inFlight} | ${((mine.user + mine.system) / count).toFixed(1)} | ${((theirs * 1000) / count).toFixed(1)} | ${((elapsed * 1000 * inFlight) / count).toFixed(0)} |`,
          );
        }
      }
    }
  } finally {
    child.send({ type: 'stop' });
    await raw.close();
    await bus.close();
  }
}

// ---------------------------------------------------------------------------------------------------------------

const [mode, arg] = process.argv.slice(2);
const modes: Record<string, () => Promise<void>> = {
  load: () => load(arg),
  analyse: async () => analyse(arg),
  hops,
  echo,
  'echo-server': echoServer,
};
const run = modes[mode ?? ''];
if (!run) {
  console.error('usage: cpu-profile.js load [PROFILE_DIR] | analyse PROFILE_DIR | hops | echo');
  process.exit(2);
}
run().catch((err: Error) => {
  console.error(`cpu-profile failed: ${err.stack ?? err.message}`);
  process.exit(1);
});
