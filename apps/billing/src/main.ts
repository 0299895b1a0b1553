import { loadConfigOrExit } from '@tokenflow/config';
import { runMain } from '@tokenflow/observability';
import { createBillingApp } from './billing.app';
import { billingEnvSchema } from './config';

runMain('billing', () => createBillingApp(loadConfigOrExit('billing', billingEnvSchema)));
