import { Inject, Injectable } from '@nestjs/common';
import { DurableConsumers } from '@tokenflow/contracts';
import { NatsBus } from '@tokenflow/messaging';
import { consumerPendingGauge, METRICS_REGISTRY } from '@tokenflow/observability';
import { Counter, type Registry } from 'prom-client';
import type { Bucket, BucketKind } from '../limits/buckets';

const LIMIT_NAMES: Record<BucketKind, string> = { r: 'rpm', t: 'tpm', c: 'concurrency' };

/**
 * The limit that denied a request, from ACQUIRE_LUA's reply (`{0, denied bucket (1-based), …}` when denied, see
 * acquire-outcome.ts); null when granted. Upstream key quotas are named apart (`upstream_rpm`): they deny an
 * attempt, not the caller.
 */
export function deniedLimit(res: number[], buckets: Bucket[], upstream = false): string | null {
  if (res[0] === 1) return null;
  const kind = buckets[res[1] - 1]?.kind;
  const name = kind ? LIMIT_NAMES[kind] : 'unknown';
  return upstream ? `upstream_${name}` : name;
}

/**
 * The limiter's metrics: `tokenflow_ratelimit_denials_total{limit}` and the lag of the durable consumers it owns
 * (the TPM corrector's: `tokenflow_jetstream_consumer_pending`, read at scrape time).
 */
@Injectable()
export class RatelimitMetrics {
  private readonly denials: Counter<'limit'>;

  constructor(@Inject(METRICS_REGISTRY) registry: Registry, bus: NatsBus) {
    this.denials = new Counter({
      name: 'tokenflow_ratelimit_denials_total',
      help: 'Requests (and upstream attempts: upstream_*) refused by a limit, by the limit that refused them',
      labelNames: ['limit'] as const,
      registers: [registry],
    });
    const owned = Object.values(DurableConsumers).filter((c) => c.owner === 'ratelimit');
    consumerPendingGauge(registry, owned.map((c) => ({ stream: c.stream.name, consumer: c.durable, pending: async () => (await bus.durable.lag(c)).pending })));
  }

  /** An acquire script's reply: counts the denial, if it was one. */
  observe(res: number[], buckets: Bucket[], upstream = false): void {
    const limit = deniedLimit(res, buckets, upstream);
    if (limit) this.denials.inc({ limit });
  }
}
