import { Inject, Injectable } from '@nestjs/common';
import { DurableConsumers, TfError } from '@tokenflow/contracts';
import { NatsBus } from '@tokenflow/messaging';
import { consumerPendingGauge, METRICS_REGISTRY } from '@tokenflow/observability';
import { Histogram, Registry } from 'prom-client';

/** A hold's outcome: granted, or the reason the caller was refused (a bounded set: error codes). */
export function holdOutcome(err: unknown): string {
  if (err === null) return 'granted';
  return err instanceof TfError ? err.code : 'error';
}

/**
 * Billing's metrics: `tokenflow_hold_duration_seconds{outcome}` (placing one hold), `tokenflow_settle_duration_seconds`
 * (settling one batch of the usage stream, failed batches included) and the lag of the durable consumers billing
 * owns (`tokenflow_jetstream_consumer_pending`, read at scrape time).
 */
@Injectable()
export class BillingMetrics {
  private readonly holds: Histogram<'outcome'>;
  private readonly settles: Histogram;

  constructor(@Inject(METRICS_REGISTRY) registry: Registry, bus?: NatsBus) {
    this.holds = new Histogram({
      name: 'tokenflow_hold_duration_seconds',
      help: "Placing a request's hold (balance cache, warmed from Postgres when cold), by outcome",
      labelNames: ['outcome'] as const,
      buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
      registers: [registry],
    });
    this.settles = new Histogram({
      name: 'tokenflow_settle_duration_seconds',
      help: 'Settling one batch of usage and hold events into the ledger (successful or not)',
      buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers: [registry],
    });
    if (bus) {
      const owned = Object.values(DurableConsumers).filter((c) => c.owner === 'billing');
      consumerPendingGauge(registry, owned.map((c) => ({ stream: c.stream.name, consumer: c.durable, pending: async () => (await bus.durable.lag(c)).pending })));
    }
  }

  /** For code built without the module (unit tests): records into a registry nobody reads. */
  static detached(): BillingMetrics {
    return new BillingMetrics(new Registry());
  }

  async timeHold<T>(place: () => Promise<T>): Promise<T> {
    const end = this.holds.startTimer();
    try {
      const placed = await place();
      end({ outcome: holdOutcome(null) });
      return placed;
    } catch (err) {
      end({ outcome: holdOutcome(err) });
      throw err;
    }
  }

  async timeSettle<T>(settle: () => Promise<T>): Promise<T> {
    const end = this.settles.startTimer();
    try {
      return await settle();
    } finally {
      end();
    }
  }
}
