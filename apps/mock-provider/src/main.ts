import 'reflect-metadata';
import { loadServiceConfig } from '@tokenflow/config';
import { runMain, setLogLevel, startTracing } from '@tokenflow/observability';
import { createMockProviderApp } from './mock-provider.app';
import { mockProviderEnvSchema } from './mock-provider.config';

// Before the app exists (off unless the OTEL_* variables turn it on: docs/decisions/0019).
startTracing('mock-provider');

let url = '';
runMain(
  'mock-provider',
  async () => {
    const config = loadServiceConfig('mock-provider', mockProviderEnvSchema);
    setLogLevel(config.LOG_LEVEL);
    const mock = await createMockProviderApp({
      port: config.MOCK_PORT,
      host: config.MOCK_HOST,
      ttftMs: config.MOCK_TTFT_MS,
      tps: config.MOCK_TPS,
      seed: config.MOCK_SEED,
    });
    mock.app.enableShutdownHooks();
    url = mock.url;
  },
  () => ({ url }),
);
