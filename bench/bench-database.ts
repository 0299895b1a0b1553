import { ensureDatabase } from '@tokenflow/config';
import { testUrls } from '@tokenflow/testing';
import { migrateAll } from '@tokenflow/tools';

/** The benchmarks' own database (`tokenflow_bench`), created and migrated; returns its URL. */
export async function benchDatabase(): Promise<string> {
  const db = new URL(testUrls.database);
  db.pathname = '/tokenflow_bench';
  await ensureDatabase(db.toString());
  await migrateAll(db.toString());
  return db.toString();
}
