import { Inject, Injectable } from '@nestjs/common';
import { METRICS_REGISTRY } from '@tokenflow/observability';
import { Gauge, type Registry } from 'prom-client';
import { InvokeService } from '../invoke/invoke.service';
import { UsagePublisher } from '../usage/usage.publisher';

/**
 * The adapter's state gauges, read at scrape time: the usage spool (events JetStream has not acknowledged yet, the
 * oldest one's age, its bytes on disk) and the attempts in flight. Served on the ops port (`OPS_PORT`).
 */
@Injectable()
export class AdapterGauges {
  constructor(@Inject(METRICS_REGISTRY) registry: Registry, usage: UsagePublisher, invoke: InvokeService) {
    const registers = [registry];
    new Gauge({ name: 'tokenflow_usage_spool_events', help: 'Usage events not yet acknowledged by JetStream (spooled)', registers, collect() { this.set(usage.stats().events); } });
    new Gauge({ name: 'tokenflow_usage_spool_oldest_age_seconds', help: 'Age of the oldest spooled usage event', registers, collect() { this.set(usage.stats().oldestAgeMs / 1_000); } });
    new Gauge({ name: 'tokenflow_usage_spool_bytes', help: 'Bytes of the usage spool segments on disk', registers, collect() { this.set(usage.stats().bytes); } });
    new Gauge({ name: 'tokenflow_usage_spool_adopted_events', help: 'Usage events taken over from slots other (stopped or dead) processes left', registers, collect() { this.set(usage.stats().adopted); } });
    new Gauge({ name: 'tokenflow_usage_spool_orphaned_events', help: 'Usage events in slots no live process owns that this one could not take over (last scan)', registers, collect() { this.set(usage.stats().orphaned); } });
    new Gauge({ name: 'tokenflow_adapter_attempts_in_flight', help: 'Upstream attempts running on this replica', registers, collect() { this.set(invoke.inFlight); } });
  }
}
