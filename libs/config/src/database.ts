import { Client } from 'pg';
import { DataSource, type DataSourceOptions, type MixedList, type EntitySchema } from 'typeorm';
import type { z } from 'zod';
import { databaseEnvSchema, loadServiceConfig } from './env';

export interface PostgresSchemaOptions {
  url: string;
  /** Each service owns one schema and keeps its own migrations table for it. */
  migrationsTableName: string;
  // eslint-disable-next-line @typescript-eslint/no-unsafe-function-type
  entities: MixedList<Function | string | EntitySchema>;
  // eslint-disable-next-line @typescript-eslint/no-unsafe-function-type
  migrations: MixedList<Function | string>;
  poolSize?: number;
  /** Absent: the defaults `databaseEnvSchema` declares (tools and services that do not pass their own). */
  timeouts?: PostgresTimeouts;
}

/** Every pool gets all three: no call to Postgres may wait forever (see `databaseEnvSchema`). */
export interface PostgresTimeouts {
  connectMs: number;
  /** 0 = no statement limit (migrations only: a large table's rewrite may legitimately take long). */
  statementMs: number;
  idleInTransactionMs: number;
}

/** How much later than the server's statement limit the client stops waiting for an answer that never comes. */
const CLIENT_QUERY_MARGIN_MS = 5_000;

/** The timeouts of a validated config (a service's DB_* variables). */
export function postgresTimeouts(c: Pick<z.infer<typeof databaseEnvSchema>, 'DB_CONNECT_TIMEOUT_MS' | 'DB_STATEMENT_TIMEOUT_MS' | 'DB_IDLE_IN_TX_TIMEOUT_MS'>): PostgresTimeouts {
  return { connectMs: c.DB_CONNECT_TIMEOUT_MS, statementMs: c.DB_STATEMENT_TIMEOUT_MS, idleInTransactionMs: c.DB_IDLE_IN_TX_TIMEOUT_MS };
}

const defaultTimeouts = (): PostgresTimeouts => postgresTimeouts(databaseEnvSchema.parse({}));

/** The pg pool settings for `t`: connect, statement (server and client side) and idle-in-transaction limits. */
export function poolTimeouts(t: PostgresTimeouts): Record<string, number> {
  return {
    connectionTimeoutMillis: t.connectMs,
    idle_in_transaction_session_timeout: t.idleInTransactionMs,
    ...(t.statementMs > 0 ? { statement_timeout: t.statementMs, query_timeout: t.statementMs + CLIENT_QUERY_MARGIN_MS } : {}),
  };
}

/** `synchronize` is always off: the schema only changes through committed migrations. */
export function postgresOptions(o: PostgresSchemaOptions): DataSourceOptions & { type: 'postgres' } {
  return {
    type: 'postgres',
    url: o.url,
    entities: o.entities,
    migrations: o.migrations,
    migrationsTableName: o.migrationsTableName,
    synchronize: false,
    connectTimeoutMS: (o.timeouts ?? defaultTimeouts()).connectMs,
    extra: {
      ...poolTimeouts(o.timeouts ?? defaultTimeouts()),
      // Services pass their DB_POOL_SIZE; tools (migrations, the TypeORM CLI) get the driver's own default.
      ...(o.poolSize ? { max: o.poolSize } : {}),
    },
  };
}

/** Applies pending migrations (each in its own transaction) and returns the names of those that ran. */
export async function runMigrations(o: PostgresSchemaOptions): Promise<string[]> {
  const ds = new DataSource(postgresOptions({ ...o, poolSize: 2, timeouts: { ...(o.timeouts ?? defaultTimeouts()), statementMs: 0 } }));
  await ds.initialize();
  try {
    const ran = await ds.runMigrations({ transaction: 'each' });
    return ran.map((m) => m.name);
  } finally {
    await ds.destroy();
  }
}

/** Creates the database named in `url` if it does not exist (connecting to the `postgres` maintenance DB). */
export async function ensureDatabase(url: string): Promise<void> {
  const target = new URL(url);
  const name = decodeURIComponent(target.pathname.replace(/^\//, ''));
  const admin = new URL(url);
  admin.pathname = '/postgres';
  const client = new Client({ connectionString: admin.toString() });
  await client.connect();
  try {
    const { rowCount } = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
    if (!rowCount) await client.query(`CREATE DATABASE "${name.replace(/"/g, '""')}"`);
  } catch (err) {
    // Two processes creating the same database at once: the loser sees a duplicate; that is fine.
    if ((err as { code?: string }).code !== '42P04' && (err as { code?: string }).code !== '23505') throw err;
  } finally {
    await client.end();
  }
}

/** Entry point of a service's `migrate.js`: reads DATABASE_URL, applies its migrations, exits non-zero on failure. */
export function migrateMain(service: string, options: (url: string) => PostgresSchemaOptions): void {
  const { DATABASE_URL: url } = loadServiceConfig(`${service} migrate`, databaseEnvSchema.pick({ DATABASE_URL: true }));
  runMigrations(options(url))
    .then((ran) => console.log(ran.length ? `${service}: applied ${ran.join(', ')}` : `${service}: schema up to date`))
    .catch((err: Error) => {
      console.error(`${service}: migration failed: ${err.message}`);
      process.exit(1);
    });
}
