import { loadServiceConfig } from '@tokenflow/config';
import { runMain } from '@tokenflow/observability';
import { ingressEnvSchema } from './config';
import { createIngressApp } from './ingress.app';

let url = '';
runMain(
  'ingress',
  async () => {
    url = (await createIngressApp(loadServiceConfig('ingress', ingressEnvSchema))).url;
  },
  () => ({ url }),
);
