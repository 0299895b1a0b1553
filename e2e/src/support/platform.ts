import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { ensureDatabase } from '@tokenflow/config';
import { Streams } from '@tokenflow/contracts';
import { NatsBus } from '@tokenflow/messaging';
import type { ReadyMessage } from '@tokenflow/observability';
import { freePort, testNamespace, testUrls } from '@tokenflow/testing';
import { Client } from 'pg';
import { migrateAll } from '@tokenflow/tools';
import { APPS, type AppName, ProcessGroup, REAL_KEY_ENVS, seed } from '@tokenflow/tools';

export interface Platform {
  baseUrl: string;
  mockUrl: string;
  adminKey: string;
  /** The seeded demo key and account. */
  key: string;
  accountId: string;
  databaseUrl: string;
  namespace: string;
  group: ProcessGroup;
  /**
   * Each service's ops surface (`/healthz`, `/readyz`, `/metrics`): the URL it announced in its ready message
   * (`opsUrl`: an ephemeral port unless OPS_PORT is set), the HTTP URL for ingress and the mock. Kept current across
   * `restart`.
   */
  ops: Record<AppName, string>;
  logs: string[];
  restart(app: AppName, signal?: NodeJS.Signals): Promise<void>;
  /** A second ingress replica on its own port (same namespace), for cross-replica behaviour. */
  extraIngress(): Promise<{ baseUrl: string; stop(): Promise<void> }>;
  /**
   * A second replica of a NATS-only service (same namespace): replicas share its subjects' queue groups. `env`
   * overrides the platform's for it (e.g. its LOG_LEVEL); its output lines are tagged `[<app>#2]`.
   */
  extraReplica(app: Exclude<AppName, 'ingress' | 'mock-provider'>, env?: NodeJS.ProcessEnv): Promise<{ opsUrl: string; stop(): Promise<void> }>;
  stop(): Promise<void>;
}

const root = resolve(__dirname, '..', '..', '..', '..');

/**
 * Boots the whole platform the way `npm start` does — six processes, migrations, seed — against the real local
 * NATS/Redis/Postgres, isolated by a fresh NATS namespace and a fresh database that is dropped afterwards.
 */
/** Where the services find their dependencies, when a fault suite puts its own in between. */
export interface PlatformWiring {
  /** A NATS server of the suite's own (default: the machine's). */
  natsUrl?: string;
  /** The port the services reach Postgres on (a proxy in front of the machine's; migrations and checks go direct). */
  databasePort?: number;
}

export async function startPlatform(suite: string, extraEnv: NodeJS.ProcessEnv = {}, wiring: PlatformWiring = {}): Promise<Platform> {
  const ns = testNamespace(suite);
  const natsUrl = wiring.natsUrl ?? testUrls.nats;
  const dbUrl = new URL(testUrls.database);
  dbUrl.pathname = `/tf_${ns.toLowerCase()}`;
  const databaseUrl = dbUrl.toString();
  const servicesDbUrl = new URL(databaseUrl);
  if (wiring.databasePort) servicesDbUrl.port = String(wiring.databasePort);
  await ensureDatabase(databaseUrl);
  await migrateAll(databaseUrl);
  const [port, mockPort] = await Promise.all([freePort(), freePort()]);
  const adminKey = `admin-${ns}-0123456789`;
  const logs: string[] = [];
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    NATS_URL: natsUrl,
    REDIS_URL: testUrls.redis,
    DATABASE_URL: servicesDbUrl.toString(),
    TF_NAMESPACE: ns,
    PORT: String(port),
    HOST: '127.0.0.1',
    MOCK_PORT: String(mockPort),
    TOKENFLOW_ADMIN_KEY: adminKey,
    LOG_LEVEL: 'info',
    DB_POOL_SIZE: '4',
    ...extraEnv,
  };
  // A developer's real keys must not turn the seed's mock channels into real ones.
  for (const name of REAL_KEY_ENVS) delete env[name];
  const group = new ProcessGroup({ root, env, output: (app, line) => logs.push(`[${app}] ${line}`) });
  const baseUrl = `http://127.0.0.1:${port}`;
  const mockUrl = `http://127.0.0.1:${mockPort}`;
  const stateDir = mkdtempSync(join(tmpdir(), 'tf-e2e-'));
  try {
    const ready = await Promise.all(APPS.map((app) => group.startAndWait(app)));
    const ops = Object.fromEntries(APPS.map((app, i) => [app, opsUrlOf(ready[i], baseUrl)])) as Record<AppName, string>;
    const seeded = await seed({ ingressUrl: baseUrl, adminKey, mockUrl, stateFile: join(stateDir, 'demo.json'), env });
    return {
      baseUrl,
      mockUrl,
      adminKey,
      key: seeded.key,
      accountId: seeded.accountId,
      databaseUrl,
      namespace: ns,
      group,
      ops,
      logs,
      async restart(app, signal = 'SIGTERM') {
        await group.stop(app, signal);
        ops[app] = opsUrlOf(await group.startAndWait(app), baseUrl);
      },
      async extraIngress() {
        const extraPort = await freePort();
        const extra = new ProcessGroup({ root, env: { ...env, PORT: String(extraPort) }, output: (app, line) => logs.push(`[${app}#2] ${line}`) });
        await extra.startAndWait('ingress');
        return { baseUrl: `http://127.0.0.1:${extraPort}`, stop: () => extra.stopAll() };
      },
      async extraReplica(app, extraEnv = {}) {
        const extra = new ProcessGroup({ root, env, output: (name, line) => logs.push(`[${name}#2] ${line}`) });
        const started = await extra.startAndWait(app, extraEnv);
        return { opsUrl: opsUrlOf(started, ''), stop: () => extra.stopAll() };
      },
      async stop() {
        await group.stopAll();
        // Every service has exited, so its last lines are in: read the keys before the database goes.
        const keys = [...(await storedUpstreamKeys(databaseUrl)), ...sentUpstreamKeys];
        const bus = await NatsBus.connect({ url: natsUrl, name: 'e2e-teardown', namespace: ns });
        for (const stream of Object.values(Streams)) await bus.durable.deleteStream(stream.name);
        await bus.close();
        rmSync(stateDir, { recursive: true, force: true });
        await dropDatabase(databaseUrl);
        assertNoUpstreamKeyLogged(logs, keys);
      },
    };
  } catch (err) {
    await group.stopAll();
    process.stderr.write(logs.slice(-40).join('\n') + '\n');
    throw err;
  }
}

/** Where a started service serves its ops endpoints: its announced ops URL, else its HTTP URL (ingress: `fallback`). */
function opsUrlOf(ready: ReadyMessage, fallback: string): string {
  return ready.opsUrl ?? ready.url ?? fallback;
}

/**
 * Upstream keys the suite sent through `adminApi` (channel creates and edits), including those of channels deleted
 * since and of writes that failed: a refused write is exactly when a key used to reach a log line.
 */
const sentUpstreamKeys = new Set<string>();

/** Every upstream key the platform's channels hold (the seed's, and any a test or a re-seed configured). */
async function storedUpstreamKeys(url: string): Promise<string[]> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    const { rows } = await client.query<{ key: string }>('SELECT DISTINCT unnest(api_keys) AS key FROM routing.channels');
    return rows.map((r) => r.key);
  } finally {
    await client.end();
  }
}

/** Keys this short could match innocent text; every key the suites configure is longer. */
const MIN_CHECKED_KEY_LENGTH = 6;

/**
 * Runs at the end of every e2e suite: no upstream key it configured may appear in any service's log line, in clear
 * or JSON-escaped. Upstream keys live in the router's database and the adapter's memory, nowhere else.
 */
export function assertNoUpstreamKeyLogged(logs: string[], keys: Iterable<string>): void {
  const forms = new Map<string, string>();
  for (const key of keys) {
    if (key.length < MIN_CHECKED_KEY_LENGTH) continue;
    forms.set(key, key);
    forms.set(JSON.stringify(key).slice(1, -1), key);
  }
  const leaks = logs.filter((line) => [...forms.keys()].some((form) => line.includes(form)));
  if (leaks.length === 0) return;
  const masked = leaks.slice(0, 3).map((line) => {
    for (const form of forms.keys()) line = line.split(form).join('<upstream key>');
    return line.slice(0, 600);
  });
  throw new Error(`${leaks.length} service log line(s) contain an upstream key:\n${masked.join('\n')}`);
}

async function dropDatabase(url: string): Promise<void> {
  const name = new URL(url).pathname.slice(1);
  const admin = new URL(url);
  admin.pathname = '/postgres';
  const client = new Client({ connectionString: admin.toString() });
  await client.connect();
  try {
    await client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
  } finally {
    await client.end();
  }
}

/** A small admin API client for tests. Upstream keys it sends are remembered for the end-of-suite log check. */
export function adminApi(p: Pick<Platform, 'baseUrl' | 'adminKey'>) {
  return async <T = Record<string, unknown>>(method: string, path: string, body?: unknown): Promise<{ status: number; body: T }> => {
    const apiKeys = (body as { api_keys?: unknown } | undefined)?.api_keys;
    if (path.startsWith('/admin/v1/channels') && Array.isArray(apiKeys)) {
      for (const k of apiKeys) if (typeof k === 'string') sentUpstreamKeys.add(k);
    }
    const res = await fetch(`${p.baseUrl}${path}`, {
      method,
      headers: { authorization: `Bearer ${p.adminKey}`, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
      body: body !== undefined ? JSON.stringify(body) : undefined,
    });
    return { status: res.status, body: (await res.json()) as T };
  };
}

/**
 * A channel serving `model` on the mock provider (OpenAI-compatible), with scripted behaviour in the upstream model
 * name (`gpt-4o+fail=500`…), priced so it can be used (nothing is billed at a made-up rate).
 */
export async function scriptedChannel(
  p: Pick<Platform, 'mockUrl'>,
  admin: ReturnType<typeof adminApi>,
  model: string,
  upstream: string,
  extra: Record<string, unknown> = {},
): Promise<{ id: string }> {
  const r = await admin<{ id: string }>('POST', '/admin/v1/channels', {
    name: `scripted-${model}-${Math.random().toString(36).slice(2, 8)}`,
    provider: 'openai-compatible',
    base_url: `${p.mockUrl}/v1`,
    api_keys: ['sk-mock-scripted'],
    models: [model],
    model_mapping: { [model]: upstream },
    ...extra,
  });
  if (r.status !== 201) throw new Error(`channel not created: ${r.status} ${JSON.stringify(r.body)}`);
  const priced = await admin('PUT', `/admin/v1/models/${model}/price`, { input_usd_per_mtok: '1.00', output_usd_per_mtok: '2.00' });
  if (priced.status !== 200) throw new Error(`price not set: ${priced.status} ${JSON.stringify(priced.body)}`);
  return r.body;
}
