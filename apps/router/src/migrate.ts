import { migrateMain } from '@tokenflow/config';
import { routingSchemaOptions } from './db/data-source';

/** `node dist/apps/router/src/migrate.js`: applies this service's pending migrations (a Kubernetes Job runs the same). */
migrateMain('router', (url) => routingSchemaOptions(url));
