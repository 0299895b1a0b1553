import { runBillingMigrations } from '../../apps/billing/src/db/data-source';
import { runRoutingMigrations } from '../../apps/router/src/db/data-source';
import { ensureDatabase } from './preflight';

/** Creates the database if needed and applies every service's pending migrations. */
export async function migrateAll(databaseUrl: string): Promise<string[]> {
  await ensureDatabase(databaseUrl);
  return [...(await runRoutingMigrations(databaseUrl)), ...(await runBillingMigrations(databaseUrl))];
}

if (require.main === module) {
  const url = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/tokenflow';
  migrateAll(url)
    .then((ran) => console.log(ran.length ? `applied: ${ran.join(', ')}` : 'database is up to date'))
    .catch((err: Error) => {
      console.error(`migration failed: ${err.message}`);
      process.exit(1);
    });
}
