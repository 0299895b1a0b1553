import { databaseEnvSchema, defaultOf, postgresOptions, type PostgresSchemaOptions, type PostgresTimeouts, runMigrations } from '@tokenflow/config';
import { DataSource } from 'typeorm';
import { routingEntities } from './entities';
import { RoutingInit1764000000000 } from './migrations/1764000000000-routing-init';
import { ChannelKeyLimits1764600000000 } from './migrations/1764600000000-channel-key-limits';
import { ModelInputs1764700000000 } from './migrations/1764700000000-model-inputs';
import { ProviderListInCode1764800000000 } from './migrations/1764800000000-provider-list-in-code';
import { ModelFallbacks1764900000000 } from './migrations/1764900000000-model-fallbacks';
import { AutoRouting1765000000000 } from './migrations/1765000000000-auto-routing';
import { SizeAwarePriors1765200000000 } from './migrations/1765200000000-size-aware-priors';
import { EmbeddingModels1765700000000 } from './migrations/1765700000000-embedding-models';

export function routingSchemaOptions(url: string, poolSize?: number, timeouts?: PostgresTimeouts): PostgresSchemaOptions {
  return {
    url,
    entities: routingEntities,
    migrations: [RoutingInit1764000000000, ChannelKeyLimits1764600000000, ModelInputs1764700000000, ProviderListInCode1764800000000, ModelFallbacks1764900000000, AutoRouting1765000000000, SizeAwarePriors1765200000000, EmbeddingModels1765700000000],
    migrationsTableName: 'routing_migrations',
    poolSize,
    timeouts,
  };
}

export const runRoutingMigrations = (url: string) => runMigrations(routingSchemaOptions(url));

/** For the TypeORM CLI: `typeorm migration:run -d dist/apps/router/src/db/data-source.js`. */
export default new DataSource(
  postgresOptions(routingSchemaOptions(process.env.DATABASE_URL ?? String(defaultOf(databaseEnvSchema, 'DATABASE_URL')))),
);
