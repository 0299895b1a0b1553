import { migrateMain } from '@tokenflow/config';
import { billingSchemaOptions } from './db/data-source';

/** `node dist/apps/billing/src/migrate.js`: applies this service's pending migrations (a Kubernetes Job runs the same). */
migrateMain('billing', (url) => billingSchemaOptions(url));
