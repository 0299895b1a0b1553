import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { baseEnvSchema, databaseEnvSchema, loadServiceConfig, redisEnvSchema } from '@tokenflow/config';
import { migrateAll } from './migrate';
import { preflight } from './preflight';
import { type AppName, APPS, ProcessGroup } from './process-group';
import { seed } from './seed';

const root = resolve(__dirname, '..', '..', '..');
const stateDir = join(root, '.tokenflow');

/** What the launcher itself connects to, read with the services' own schemas (and so their defaults). */
const launcherEnvSchema = baseEnvSchema.pick({ NATS_URL: true }).extend(databaseEnvSchema.pick({ DATABASE_URL: true }).shape).extend(redisEnvSchema.shape);

/**
 * `npm start`: check dependencies, migrate, start the six services, seed, print how to call it. The services get
 * this environment as it is: each applies its own defaults, so none is repeated here; only the admin key is added.
 */
async function main(): Promise<void> {
  const urls = loadServiceConfig('tokenflow', launcherEnvSchema);
  const env: NodeJS.ProcessEnv = { ...process.env, TOKENFLOW_ADMIN_KEY: process.env.TOKENFLOW_ADMIN_KEY ?? devAdminKey() };
  const problems = await preflight({ nats: urls.NATS_URL, redis: urls.REDIS_URL, database: urls.DATABASE_URL });
  if (problems.length) {
    process.stderr.write(`TokenFlow cannot start:\n\n${problems.join('\n\n')}\n`);
    process.exit(1);
  }
  const ran = await migrateAll(urls.DATABASE_URL);
  console.log(ran.join('\n'));

  const group = new ProcessGroup({ root, env });
  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    console.log(`\n${signal}: stopping TokenFlow…`);
    await group.stopAll();
    process.exit(0);
  };
  process.on('SIGINT', () => void shutdown('SIGINT'));
  process.on('SIGTERM', () => void shutdown('SIGTERM'));

  let baseUrl: string;
  let result: Awaited<ReturnType<typeof seed>>;
  try {
    const ready = await Promise.all(APPS.map((app) => group.startAndWait(app)));
    // Where ingress and the mock provider listen is theirs to say (PORT, MOCK_PORT and their defaults).
    const urlOf = (app: AppName) => ready[APPS.indexOf(app)].url ?? raise(`${app} did not report its URL`);
    baseUrl = urlOf('ingress');
    result = await seed({
      ingressUrl: baseUrl,
      adminKey: env.TOKENFLOW_ADMIN_KEY!,
      mockUrl: urlOf('mock-provider'),
      stateFile: join(stateDir, 'demo.json'),
      env,
    });
  } catch (err) {
    // Never leave half a platform running behind a failed start.
    stopping = true;
    await group.stopAll();
    throw err;
  }
  const real = result.channels.filter((c) => c.real).map((c) => c.name);
  console.log(`
TokenFlow is running.

  Base URL   ${baseUrl}/v1
  API key    ${result.key}
  Admin key  ${env.TOKENFLOW_ADMIN_KEY}
  Upstreams  ${real.length ? `real: ${real.join(', ')}; others: mock provider` : 'mock provider (set DEEPSEEK_API_KEY etc. for real ones)'}

  curl ${baseUrl}/v1/chat/completions \\
    -H "Authorization: Bearer ${result.key}" -H "Content-Type: application/json" \\
    -d '{"model":"deepseek-v3","messages":[{"role":"user","content":"Hello!"}]}'

Ctrl-C stops everything.
`);
}

function raise(message: string): never {
  throw new Error(message);
}

/** A per-checkout admin key for local use, kept in .tokenflow/ (git-ignored) so it survives restarts. */
function devAdminKey(): string {
  const file = join(stateDir, 'admin-key');
  if (existsSync(file)) return readFileSync(file, 'utf8').trim();
  const key = `tfadmin-${randomBytes(24).toString('hex')}`;
  mkdirSync(stateDir, { recursive: true });
  writeFileSync(file, key, { mode: 0o600 });
  return key;
}

main().catch((err: Error) => {
  process.stderr.write(`TokenFlow failed to start: ${err.message}\n`);
  process.exit(1);
});
