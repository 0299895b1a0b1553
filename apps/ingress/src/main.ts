import { loadServiceConfig } from '@tokenflow/config';
import { runMain } from '@tokenflow/observability';
import { ingressEnvSchema } from './config';
import { createIngressApp } from './ingress.app';

runMain('ingress', () => createIngressApp(loadServiceConfig('ingress', ingressEnvSchema)));
