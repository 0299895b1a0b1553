import type { INestApplicationContext } from '@nestjs/common';
import { ensureDatabase } from '@tokenflow/config';
import { Streams } from '@tokenflow/contracts';
import { NatsBus } from '@tokenflow/messaging';
import { testNamespace, testUrls } from '@tokenflow/testing';
import { Client } from 'pg';
import { createBillingApp } from '../../src/billing.app';
import { billingEnvSchema } from '../../src/config';
import { runBillingMigrations } from '../../src/db/data-source';

/** Billing booted on a database of its own (migrated), its NATS namespace, a bus and a SQL client for the spec. */
export interface OwnDatabaseBilling {
  ns: string;
  databaseUrl: string;
  app: INestApplicationContext;
  bus: NatsBus;
  sql: Client;
  /** Stops billing, deletes the namespace's streams and drops the database. */
  stop(): Promise<void>;
}

/** For specs that lock tables or cross size bounds: nothing they do reaches another suite's data. */
export async function startOwnDatabaseBilling(name: string, env: Record<string, string> = {}): Promise<OwnDatabaseBilling> {
  const ns = testNamespace(name);
  const dbUrl = new URL(testUrls.database);
  dbUrl.pathname = `/tf_${ns.toLowerCase()}`;
  const databaseUrl = dbUrl.toString();
  await ensureDatabase(databaseUrl);
  await runBillingMigrations(databaseUrl);
  const config = { NATS_URL: testUrls.nats, DATABASE_URL: databaseUrl, REDIS_URL: testUrls.redis, TF_NAMESPACE: ns, DB_POOL_SIZE: '4', LOG_LEVEL: 'silent', ...env };
  const app = await createBillingApp(billingEnvSchema.parse(config));
  const bus = await NatsBus.connect({ url: testUrls.nats, name: `${name}-test`, namespace: ns });
  const sql = new Client({ connectionString: databaseUrl });
  await sql.connect();
  const stop = async () => {
    await sql.end();
    await app.close();
    for (const stream of Object.values(Streams)) await bus.durable.deleteStream(stream.name);
    await bus.close();
    const admin = new URL(databaseUrl);
    admin.pathname = '/postgres';
    const c = new Client({ connectionString: admin.toString() });
    await c.connect();
    await c.query(`DROP DATABASE IF EXISTS "${dbUrl.pathname.slice(1)}" WITH (FORCE)`);
    await c.end();
  };
  return { ns, databaseUrl, app, bus, sql, stop };
}
