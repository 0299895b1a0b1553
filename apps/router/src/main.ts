import { loadServiceConfig } from '@tokenflow/config';
import { runMain } from '@tokenflow/observability';
import { createRouterApp } from './router.app';
import { routerEnvSchema } from './config';

runMain('router', () => createRouterApp(loadServiceConfig('router', routerEnvSchema)));
