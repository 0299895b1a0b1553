import { createServiceContext } from '@tokenflow/messaging';
import type { RouterConfig } from './config';
import { RouterModule } from './router.module';

export const createRouterApp = (config: RouterConfig) => createServiceContext(RouterModule.forRoot(config), config);
