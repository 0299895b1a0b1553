import type { Provider } from '@nestjs/common';
import { NatsBus } from '@tokenflow/messaging';
import { cachedProbe, METRICS_REGISTRY, OpsServer, redisCheck } from '@tokenflow/observability';
import type { Registry } from 'prom-client';
import { DataSource } from 'typeorm';
import { ROUTER_CONFIG, type RouterConfig } from '../config';
import { ProbeJob } from './probe.job';

/**
 * The router's ops surface on OPS_PORT. Ready while NATS is connected (plans are asked on it), Redis is (the probe
 * job) and Postgres answers `SELECT 1` (channel and catalog changes are read there; probed at most once a second).
 */
export const routerOpsProvider: Provider = {
  provide: OpsServer,
  useFactory: (config: RouterConfig, registry: Registry, bus: NatsBus, db: DataSource, probes: ProbeJob) =>
    new OpsServer({
      service: 'router',
      port: config.OPS_PORT,
      registry,
      checks: [{ name: 'nats', check: () => bus.connected }, redisCheck(probes.connection), { name: 'postgres', check: cachedProbe(() => db.query('SELECT 1')) }],
    }),
  inject: [ROUTER_CONFIG, METRICS_REGISTRY, NatsBus, DataSource, ProbeJob],
};
