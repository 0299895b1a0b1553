import type { Provider } from '@nestjs/common';
import { NatsBus } from '@tokenflow/messaging';
import { METRICS_REGISTRY, OpsServer, redisCheck } from '@tokenflow/observability';
import type { Registry } from 'prom-client';
import { RATELIMIT_CONFIG, type RatelimitConfig } from '../config';
import { LimiterStore } from '../limits/limiter.store';

/** The limiter's ops surface on OPS_PORT: ready while NATS (its requests) and Redis (its counters) are connected. */
export const ratelimitOpsProvider: Provider = {
  provide: OpsServer,
  useFactory: (config: RatelimitConfig, registry: Registry, bus: NatsBus, store: LimiterStore) =>
    new OpsServer({ service: 'ratelimit', port: config.OPS_PORT, registry, checks: [{ name: 'nats', check: () => bus.connected }, redisCheck(store.redis)] }),
  inject: [RATELIMIT_CONFIG, METRICS_REGISTRY, NatsBus, LimiterStore],
};
