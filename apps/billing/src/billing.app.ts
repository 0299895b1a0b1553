import { createServiceContext } from '@tokenflow/messaging';
import type { BillingConfig } from './config';
import { BillingModule } from './billing.module';
import { waitForPostgres } from './db/wait-for-postgres';

/** Waits for Postgres first: a replica restarted during an outage waits (with backoff and logs), never crash-loops. */
export const createBillingApp = async (config: BillingConfig) => {
  await waitForPostgres(config.DATABASE_URL, { connectTimeoutMs: config.DB_CONNECT_TIMEOUT_MS });
  return createServiceContext(BillingModule.forRoot(config), config);
};
