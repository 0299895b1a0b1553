import { Inject, Injectable } from '@nestjs/common';
import type { HealthState } from '@tokenflow/contracts';
import { METRICS_REGISTRY } from '@tokenflow/observability';
import { Gauge, type Registry } from 'prom-client';
import { HealthBook, type HealthSnapshot } from '../health/health-book';
import { RoutingTable, type RoutingSnapshot } from '../planning/routing-table';

/** States in which a channel's breaker keeps traffic off it (a half-open one admits only its probe). */
const OUT: ReadonlySet<HealthState> = new Set<HealthState>(['open', 'half_open', 'disabled']);

/**
 * Per channel: 1 while its breaker is out for any model it serves, else 0 (breakers are per channel and model; a
 * dashboard asks "which channels are out"). Channels are labelled by id: names need not be unique.
 */
export function breakerStates(table: Pick<RoutingSnapshot, 'channels'>, health: HealthSnapshot): Map<string, 0 | 1> {
  const out = new Map<string, 0 | 1>();
  for (const ch of table.channels.values()) out.set(ch.id, ch.models.some((m) => OUT.has(health.channel(ch.id, m).state)) ? 1 : 0);
  return out;
}

/** The router's metrics: `tokenflow_channel_breaker_open{channel}`, read from the health book at scrape time. */
@Injectable()
export class RouterMetrics {
  constructor(@Inject(METRICS_REGISTRY) registry: Registry, table: RoutingTable, book: HealthBook) {
    new Gauge({
      name: 'tokenflow_channel_breaker_open',
      help: "1 while a channel's circuit breaker is open (or half-open, disabled) for any of its models, else 0",
      labelNames: ['channel'] as const,
      registers: [registry],
      collect() {
        // Rebuilt each scrape: a deleted channel's series goes with it.
        this.reset();
        for (const [channel, open] of breakerStates(table.current, book)) this.set({ channel }, open);
      },
    });
  }
}
