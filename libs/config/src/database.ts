import { Client } from 'pg';
import { DataSource, type DataSourceOptions, type MixedList, type EntitySchema } from 'typeorm';
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
    // Services pass their DB_POOL_SIZE; tools (migrations, the TypeORM CLI) get the driver's own default.
    ...(o.poolSize ? { extra: { max: o.poolSize } } : {}),
  };
}

/** Applies pending migrations (each in its own transaction) and returns the names of those that ran. */
export async function runMigrations(o: PostgresSchemaOptions): Promise<string[]> {
  const ds = new DataSource(postgresOptions({ ...o, poolSize: 2 }));
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
