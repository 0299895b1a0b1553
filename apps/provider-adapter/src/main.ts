import { loadServiceConfig } from '@tokenflow/config';
import { createLogger, runMain, startTracing } from '@tokenflow/observability';
import { createAdapterApp, exitOnSignals } from './adapter.app';
import { adapterEnvSchema } from './config';

// Before the app exists (off unless the OTEL_* variables turn it on: docs/decisions/0019).
startTracing('provider-adapter');

/** Past the grace period (which already holds settling and the usage flush): NATS drains, Nest closes. */
const SHUTDOWN_OVERHEAD_MS = 5_000;

const config = loadServiceConfig('provider-adapter', adapterEnvSchema);
runMain('provider-adapter', async () => {
  const app = await createAdapterApp(config);
  exitOnSignals(app, createLogger('provider-adapter'), config.SHUTDOWN_GRACE_MS + SHUTDOWN_OVERHEAD_MS);
  return app;
});
