import { createServer, type Server } from 'node:http';
import { Inject, Injectable, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { createLogger, createMetricsRegistry } from '@tokenflow/observability';
import { Gauge } from 'prom-client';
import { ADAPTER_CONFIG, type AdapterConfig } from '../config';
import { InvokeService } from '../invoke/invoke.service';
import { UsagePublisher } from '../usage/usage.publisher';

/**
 * Prometheus `/metrics` on METRICS_PORT (off at 0): the usage spool (events JetStream has not acknowledged yet, the
 * oldest one's age, its bytes on disk) and the attempts in flight, next to Node's default metrics.
 */
@Injectable()
export class MetricsServer implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly log = createLogger('provider-adapter.metrics');
  readonly registry = createMetricsRegistry('provider-adapter');
  private server: Server | null = null;

  constructor(
    @Inject(ADAPTER_CONFIG) private readonly config: Pick<AdapterConfig, 'METRICS_PORT'>,
    usage: UsagePublisher,
    invoke: InvokeService,
  ) {
    const registers = [this.registry];
    new Gauge({ name: 'tokenflow_usage_spool_events', help: 'Usage events not yet acknowledged by JetStream (spooled)', registers, collect() { this.set(usage.stats().events); } });
    new Gauge({ name: 'tokenflow_usage_spool_oldest_age_seconds', help: 'Age of the oldest spooled usage event', registers, collect() { this.set(usage.stats().oldestAgeMs / 1_000); } });
    new Gauge({ name: 'tokenflow_usage_spool_bytes', help: 'Bytes of the usage spool segments on disk', registers, collect() { this.set(usage.stats().bytes); } });
    new Gauge({ name: 'tokenflow_usage_spool_adopted_events', help: 'Usage events taken over from slots other (stopped or dead) processes left', registers, collect() { this.set(usage.stats().adopted); } });
    new Gauge({ name: 'tokenflow_usage_spool_orphaned_events', help: 'Usage events in slots no live process owns that this one could not take over (last scan)', registers, collect() { this.set(usage.stats().orphaned); } });
    new Gauge({ name: 'tokenflow_adapter_attempts_in_flight', help: 'Upstream attempts running on this replica', registers, collect() { this.set(invoke.inFlight); } });
  }

  async onApplicationBootstrap(): Promise<void> {
    if (!this.config.METRICS_PORT) return;
    const server = createServer((req, res) => {
      if (req.url !== '/metrics') {
        res.writeHead(404).end();
        return;
      }
      this.registry
        .metrics()
        .then((text) => res.writeHead(200, { 'content-type': this.registry.contentType }).end(text))
        .catch(() => res.writeHead(500).end());
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.config.METRICS_PORT, () => resolve());
    });
    this.server = server;
    this.log.info({ port: this.config.METRICS_PORT }, 'metrics on /metrics');
  }

  async onApplicationShutdown(): Promise<void> {
    const server = this.server;
    this.server = null;
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}
