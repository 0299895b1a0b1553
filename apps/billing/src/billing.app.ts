import { createServiceContext } from '@tokenflow/messaging';
import type { BillingConfig } from './config';
import { BillingModule } from './billing.module';

export const createBillingApp = (config: BillingConfig) => createServiceContext(BillingModule.forRoot(config), config);
