import { databaseEnvSchema, loadConfigOrExit } from '@tokenflow/config';
import { runBillingMigrations } from './db/data-source';

/** `node dist/apps/billing/src/migrate.js`: applies this service's pending migrations (a Kubernetes Job runs the same). */
const { DATABASE_URL } = loadConfigOrExit('billing-migrate', databaseEnvSchema);
runBillingMigrations(DATABASE_URL)
  .then((ran) => console.log(ran.length ? `billing: applied ${ran.join(', ')}` : 'billing: schema up to date'))
  .catch((err: Error) => {
    console.error(`billing: migration failed: ${err.message}`);
    process.exit(1);
  });
