import { spawn } from 'node:child_process';
import { join, resolve } from 'node:path';
import { databaseEnvSchema, ensureDatabase, loadServiceConfig } from '@tokenflow/config';

const root = resolve(__dirname, '..', '..', '..');

/** The services that own a schema, in dependency order. */
const OWNERS = ['router', 'billing'];

/** Creates the database if needed, then runs each owning service's own migrate entry point. */
export async function migrateAll(databaseUrl: string): Promise<string[]> {
  await ensureDatabase(databaseUrl);
  const lines: string[] = [];
  for (const app of OWNERS) lines.push(await runMigrate(app, databaseUrl));
  return lines;
}

function runMigrate(app: string, databaseUrl: string): Promise<string> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(process.execPath, [join(root, 'dist', 'apps', app, 'src', 'migrate.js')], {
      env: { ...process.env, DATABASE_URL: databaseUrl },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.on('data', (b: Buffer) => (out += b.toString()));
    child.stderr.on('data', (b: Buffer) => (out += b.toString()));
    child.on('exit', (code) => (code === 0 ? resolvePromise(out.trim()) : reject(new Error(out.trim() || `${app} migrate exited ${code}`))));
  });
}

if (require.main === module) {
  const { DATABASE_URL: url } = loadServiceConfig('migrate', databaseEnvSchema.pick({ DATABASE_URL: true }));
  migrateAll(url)
    .then((lines) => console.log(lines.join('\n')))
    .catch((err: Error) => {
      console.error(err.message);
      process.exit(1);
    });
}
