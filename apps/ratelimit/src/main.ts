import { loadServiceConfig } from '@tokenflow/config';
import { runMain, startTracing } from '@tokenflow/observability';
import { createRatelimitApp } from './ratelimit.app';
import { ratelimitEnvSchema } from './config';

// Before the app exists (off unless the OTEL_* variables turn it on: docs/decisions/0019).
startTracing('ratelimit');

runMain('ratelimit', () => createRatelimitApp(loadServiceConfig('ratelimit', ratelimitEnvSchema)));
