import { loadServiceConfig } from '@tokenflow/config';
import { runMain } from '@tokenflow/observability';
import { createAdapterApp } from './adapter.app';
import { adapterEnvSchema } from './config';

runMain('provider-adapter', () => createAdapterApp(loadServiceConfig('provider-adapter', adapterEnvSchema)));
