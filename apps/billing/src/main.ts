import { loadServiceConfig } from '@tokenflow/config';
import { runMain } from '@tokenflow/observability';
import { createBillingApp } from './billing.app';
import { billingEnvSchema } from './config';

runMain('billing', () => createBillingApp(loadServiceConfig('billing', billingEnvSchema)));
