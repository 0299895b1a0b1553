import { postgresOptions, runMigrations, type PostgresSchemaOptions } from '@tokenflow/config';
import { DataSource } from 'typeorm';
import { routingEntities } from './entities';
import { RoutingInit1764000000000 } from './migrations/1764000000000-routing-init';
import { ChannelKeyLimits1764600000000 } from './migrations/1764600000000-channel-key-limits';
import { ModelInputs1764700000000 } from './migrations/1764700000000-model-inputs';

export function routingSchemaOptions(url: string, poolSize?: number): PostgresSchemaOptions {
  return {
    url,
    entities: routingEntities,
    migrations: [RoutingInit1764000000000, ChannelKeyLimits1764600000000, ModelInputs1764700000000],
    migrationsTableName: 'routing_migrations',
    poolSize,
  };
}

export const runRoutingMigrations = (url: string) => runMigrations(routingSchemaOptions(url));

/** For the TypeORM CLI: `typeorm migration:run -d dist/apps/router/src/db/data-source.js`. */
export default new DataSource(
  postgresOptions(routingSchemaOptions(process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/tokenflow')),
);
