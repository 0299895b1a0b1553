import { Inject, Injectable, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { createLogger, QueueDepthGauge } from '@tokenflow/observability';
import { Queue, Worker } from 'bullmq';
import { Redis } from 'ioredis';
import { BILLING_CONFIG, type BillingConfig } from '../config';
import { OutputStatsService } from './output-stats.service';

/**
 * A repeatable BullMQ job (like the hold expiry) that folds newly settled usage into the output-usage rollup every
 * `OUTPUT_STATS_FOLD_MS`. One run at a time across all billing replicas; the rollup's watermark lock keeps it
 * exact even if two ever overlapped.
 */
@Injectable()
export class OutputRollupJob implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly log = createLogger('billing.output-rollup');
  private readonly connection: Redis;
  private queue: Queue | null = null;
  private worker: Worker | null = null;

  constructor(
    private readonly stats: OutputStatsService,
    @Inject(BILLING_CONFIG) private readonly config: BillingConfig,
    private readonly queueDepth: QueueDepthGauge,
  ) {
    this.connection = new Redis(config.REDIS_URL, { maxRetriesPerRequest: null });
  }

  async onApplicationBootstrap(): Promise<void> {
    const name = `tf-${this.config.TF_NAMESPACE || 'default'}-billing-output-rollup`;
    this.queue = new Queue(name, { connection: this.connection });
    this.queueDepth.watch(this.queue);
    await this.queue.upsertJobScheduler('fold-output-usage', { every: this.config.OUTPUT_STATS_FOLD_MS }, { name: 'fold-output-usage', opts: { removeOnComplete: 100, removeOnFail: 100 } });
    this.worker = new Worker(name, () => this.run(), { connection: this.connection, concurrency: 1 });
  }

  private async run(): Promise<number> {
    const scanned = await this.stats.fold();
    if (scanned) this.log.debug({ scanned }, 'folded ledger entries into the output-usage rollup');
    return scanned;
  }

  async onApplicationShutdown(): Promise<void> {
    await this.worker?.close();
    await this.queue?.close();
    // BullMQ does not close a connection it was given.
    this.connection.disconnect();
  }
}
