import { loadServiceConfig } from '@tokenflow/config';
import { runMain, startTracing } from '@tokenflow/observability';
import { createRouterApp } from './router.app';
import { routerEnvSchema } from './config';

// Before the app exists (off unless the OTEL_* variables turn it on: docs/decisions/0019).
startTracing('router');

runMain('router', () => createRouterApp(loadServiceConfig('router', routerEnvSchema)));
