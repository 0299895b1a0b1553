import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { migrateAll } from './migrate';
import { preflight } from './preflight';
import { APPS, ProcessGroup } from './process-group';
import { seed } from './seed';

const root = resolve(__dirname, '..', '..', '..');
const stateDir = join(root, '.tokenflow');

/** `npm start`: check dependencies, migrate, start the six services, seed, print how to call it. */
async function main(): Promise<void> {
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    NATS_URL: process.env.NATS_URL ?? 'nats://127.0.0.1:4222',
    REDIS_URL: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379',
    DATABASE_URL: process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/tokenflow',
    PORT: process.env.PORT ?? '3000',
    MOCK_PORT: process.env.MOCK_PORT ?? '4010',
    TOKENFLOW_ADMIN_KEY: process.env.TOKENFLOW_ADMIN_KEY ?? devAdminKey(),
    LOG_LEVEL: process.env.LOG_LEVEL ?? 'info',
  };
  const problems = await preflight({ nats: env.NATS_URL!, redis: env.REDIS_URL!, database: env.DATABASE_URL! });
  if (problems.length) {
    process.stderr.write(`TokenFlow cannot start:\n\n${problems.join('\n\n')}\n`);
    process.exit(1);
  }
  const ran = await migrateAll(env.DATABASE_URL!);
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

  const baseUrl = `http://127.0.0.1:${env.PORT}`;
  let result: Awaited<ReturnType<typeof seed>>;
  try {
    await Promise.all(APPS.map((app) => group.startAndWait(app)));
    result = await seed({
      ingressUrl: baseUrl,
      adminKey: env.TOKENFLOW_ADMIN_KEY!,
      mockUrl: `http://127.0.0.1:${env.MOCK_PORT}`,
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
