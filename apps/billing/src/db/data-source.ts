import { databaseEnvSchema, defaultOf, postgresOptions, type PostgresSchemaOptions, type PostgresTimeouts, runMigrations } from '@tokenflow/config';
import { DataSource } from 'typeorm';
import { billingEntities } from './entities';
import { BillingInit1764000000000 } from './migrations/1764000000000-billing-init';
import { PriceBookAndBalances1764100000000 } from './migrations/1764100000000-price-book-and-balances';
import { DoubleEntryLedger1764200000000 } from './migrations/1764200000000-double-entry-ledger';
import { KeyBudgets1764300000000 } from './migrations/1764300000000-key-budgets';
import { CachedInputPrice1764400000000 } from './migrations/1764400000000-cached-input-price';
import { HoldMovements1764500000000 } from './migrations/1764500000000-hold-movements';
import { RateLimits1764600000000 } from './migrations/1764600000000-rate-limits';
import { KeyFallbacks1764900000000 } from './migrations/1764900000000-key-fallbacks';
import { OutputUsageRollup1765100000000 } from './migrations/1765100000000-output-usage-rollup';
import { ParkedUsage1765300000000 } from './migrations/1765300000000-parked-usage';
import { PriceTerms1765400000000 } from './migrations/1765400000000-price-terms';
import { RequestLog1765500000000 } from './migrations/1765500000000-request-log';
import { StoredResponses1765600000000 } from './migrations/1765600000000-stored-responses';
import { EmbeddingPrices1765700000000 } from './migrations/1765700000000-embedding-prices';

export function billingSchemaOptions(url: string, poolSize?: number, timeouts?: PostgresTimeouts): PostgresSchemaOptions {
  return {
    url,
    entities: billingEntities,
    migrations: [
      BillingInit1764000000000,
      PriceBookAndBalances1764100000000,
      DoubleEntryLedger1764200000000,
      KeyBudgets1764300000000,
      CachedInputPrice1764400000000,
      HoldMovements1764500000000,
      RateLimits1764600000000,
      KeyFallbacks1764900000000,
      OutputUsageRollup1765100000000,
      ParkedUsage1765300000000,
      PriceTerms1765400000000,
      RequestLog1765500000000,
      StoredResponses1765600000000,
      EmbeddingPrices1765700000000,
    ],
    migrationsTableName: 'billing_migrations',
    poolSize,
    timeouts,
  };
}

export const runBillingMigrations = (url: string) => runMigrations(billingSchemaOptions(url));

/** For the TypeORM CLI: `typeorm migration:run -d dist/apps/billing/src/db/data-source.js`. */
export default new DataSource(
  postgresOptions(billingSchemaOptions(process.env.DATABASE_URL ?? String(defaultOf(databaseEnvSchema, 'DATABASE_URL')))),
);
