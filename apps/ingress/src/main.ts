import { loadServiceConfig } from '@tokenflow/config';
import { runMain, startTracing } from '@tokenflow/observability';
import { ingressEnvSchema } from './config';
import { createIngressApp, type IngressApp } from './ingress.app';
import { ShutdownDeadline } from './lifecycle/shutdown-deadline';

// Before the app exists (off unless the OTEL_* variables turn it on: docs/decisions/0019).
startTracing('ingress');

const config = loadServiceConfig('ingress', ingressEnvSchema);
let ingress: IngressApp | null = null;

/** SIGTERM/SIGINT: the graceful sequence (`IngressApp.close`) under one deadline, then exit (see `ShutdownDeadline`). */
const shutdown = new ShutdownDeadline(() => {
  const app = ingress;
  return { close: app ? () => app.close() : null, graceMs: config.SHUTDOWN_GRACE_MS, exit: (code) => process.exit(code) };
});
process.on('SIGTERM', (signal) => shutdown.stop(signal));
process.on('SIGINT', (signal) => shutdown.stop(signal));

runMain(
  'ingress',
  async () => {
    ingress = await createIngressApp(config);
  },
  () => ({ url: ingress?.url }),
);
