import type { Provider } from '@nestjs/common';
import { NatsBus } from '@tokenflow/messaging';
import { METRICS_REGISTRY, OpsServer, redisCheck } from '@tokenflow/observability';
import type { Registry } from 'prom-client';
import { ADAPTER_CONFIG, type AdapterConfig } from '../config';
import { RetryQueue } from '../retry/retry.queue';

/**
 * The adapter's ops surface on OPS_PORT. Ready while NATS is connected (invokes arrive on it) and the retry queue's
 * Redis is (delayed attempts wait there); not while shutting down.
 */
export const adapterOpsProvider: Provider = {
  provide: OpsServer,
  useFactory: (config: AdapterConfig, registry: Registry, bus: NatsBus, retry: RetryQueue) =>
    new OpsServer({
      service: 'provider-adapter',
      port: config.OPS_PORT,
      registry,
      checks: [{ name: 'nats', check: () => bus.connected }, redisCheck(retry.connection)],
    }),
  inject: [ADAPTER_CONFIG, METRICS_REGISTRY, NatsBus, RetryQueue],
};
