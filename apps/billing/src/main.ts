import { loadServiceConfig } from '@tokenflow/config';
import { runMain, startTracing } from '@tokenflow/observability';
import { createBillingApp } from './billing.app';
import { billingEnvSchema } from './config';

// Before the app exists (off unless the OTEL_* variables turn it on: docs/decisions/0019).
startTracing('billing');

runMain('billing', () => createBillingApp(loadServiceConfig('billing', billingEnvSchema)));
