import type { Provider } from '@nestjs/common';
import { NatsBus } from '@tokenflow/messaging';
import { cachedProbe, METRICS_REGISTRY, OpsServer, redisCheck } from '@tokenflow/observability';
import type { Registry } from 'prom-client';
import { DataSource } from 'typeorm';
import { BILLING_CONFIG, type BillingConfig } from '../config';
import { BalanceCache } from '../holds/balance-cache';

/**
 * Billing's ops surface on OPS_PORT. Ready while NATS is connected (auth and holds are asked on it), the balance
 * cache's Redis is (every hold) and Postgres answers `SELECT 1` (the ledger; probed at most once a second).
 */
export const billingOpsProvider: Provider = {
  provide: OpsServer,
  useFactory: (config: BillingConfig, registry: Registry, bus: NatsBus, db: DataSource, cache: BalanceCache) =>
    new OpsServer({
      service: 'billing',
      port: config.OPS_PORT,
      registry,
      checks: [{ name: 'nats', check: () => bus.connected }, redisCheck(cache.redis), { name: 'postgres', check: cachedProbe(() => db.query('SELECT 1')) }],
    }),
  inject: [BILLING_CONFIG, METRICS_REGISTRY, NatsBus, DataSource, BalanceCache],
};
