import { databaseEnvSchema, loadConfigOrExit } from '@tokenflow/config';
import { runRoutingMigrations } from './db/data-source';

/** `node dist/apps/router/src/migrate.js`: applies this service's pending migrations (a Kubernetes Job runs the same). */
const { DATABASE_URL } = loadConfigOrExit('router-migrate', databaseEnvSchema);
runRoutingMigrations(DATABASE_URL)
  .then((ran) => console.log(ran.length ? `router: applied ${ran.join(', ')}` : 'router: schema up to date'))
  .catch((err: Error) => {
    console.error(`router: migration failed: ${err.message}`);
    process.exit(1);
  });
