import { loadServiceConfig } from '@tokenflow/config';
import { createLogger, runMain } from '@tokenflow/observability';
import { ingressEnvSchema } from './config';
import { createIngressApp, type IngressApp } from './ingress.app';

const log = createLogger('ingress');
let ingress: IngressApp | null = null;
let stopping = false;

/** SIGTERM/SIGINT: the graceful sequence (`IngressApp.close`), then exit 0; a second signal does not cut it short. */
function shutdown(signal: NodeJS.Signals): void {
  if (stopping) return;
  stopping = true;
  log.info({ signal }, 'ingress stopping');
  (ingress?.close() ?? Promise.resolve()).then(
    () => {
      log.info('ingress stopped');
      process.exit(0);
    },
    (err: unknown) => {
      log.error({ err }, 'ingress shutdown failed');
      process.exit(1);
    },
  );
}
process.on('SIGTERM', shutdown);
process.on('SIGINT', shutdown);

runMain(
  'ingress',
  async () => {
    ingress = await createIngressApp(loadServiceConfig('ingress', ingressEnvSchema));
  },
  () => ({ url: ingress?.url }),
);
