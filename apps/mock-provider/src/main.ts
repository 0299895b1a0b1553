import 'reflect-metadata';
import { loadConfigOrExit } from '@tokenflow/config';
import { createLogger } from '@tokenflow/observability';
import { createMockProviderApp } from './mock-provider.app';
import { mockProviderEnvSchema } from './mock-provider.config';

const config = loadConfigOrExit('mock-provider', mockProviderEnvSchema);
const log = createLogger('mock-provider');

createMockProviderApp({ port: config.MOCK_PORT, host: config.MOCK_HOST, ttftMs: config.MOCK_TTFT_MS, tps: config.MOCK_TPS })
  .then(({ app, url }) => {
    app.enableShutdownHooks();
    // tools/start waits for "mock-provider ready" before seeding channels that point here.
    log.info({ url }, 'mock-provider ready');
  })
  .catch((err: unknown) => {
    log.fatal({ err }, 'mock-provider failed to start');
    process.exit(1);
  });
