import { loadServiceConfig } from '@tokenflow/config';
import { runMain } from '@tokenflow/observability';
import { createRatelimitApp } from './ratelimit.app';
import { ratelimitEnvSchema } from './config';

runMain('ratelimit', () => createRatelimitApp(loadServiceConfig('ratelimit', ratelimitEnvSchema)));
