import { loadConfigOrExit } from '@tokenflow/config';
import { runMain } from '@tokenflow/observability';
import { ingressEnvSchema } from './config';
import { createIngressApp } from './ingress.app';

runMain('ingress', () => createIngressApp(loadConfigOrExit('ingress', ingressEnvSchema)));
