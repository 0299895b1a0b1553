import { createServiceContext } from '@tokenflow/messaging';
import type { RatelimitConfig } from './config';
import { RatelimitModule } from './ratelimit.module';

export const createRatelimitApp = (config: RatelimitConfig) => createServiceContext(RatelimitModule.forRoot(config), config);
