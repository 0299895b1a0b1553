import { DataSource, type DataSourceOptions, type MixedList, type EntitySchema } from 'typeorm';

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
    extra: { max: o.poolSize ?? 10 },
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
