import { createServiceContext } from '@tokenflow/messaging';
import type { AdapterConfig } from './config';
import { AdapterModule } from './adapter.module';

export const createAdapterApp = (config: AdapterConfig) => createServiceContext(AdapterModule.forRoot(config), config);
