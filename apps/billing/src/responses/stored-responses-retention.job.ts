import { Inject, Injectable, Optional, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { createLogger, QueueDepthGauge } from '@tokenflow/observability';
import { Queue, Worker } from 'bullmq';
import { Redis } from 'ioredis';
import { BILLING_CONFIG, type BillingConfig } from '../config';
import { StoredResponsesRepository } from './stored-responses.repository';

/**
 * Rows one DELETE removes (fewer than the request log's: a stored response may carry megabytes of TOASTed JSON), and
 * the most one run removes (a backlog is worked off over several runs).
 */
export const DELETE_BATCH = 1_000;
const MAX_BATCHES_PER_RUN = 500;

/**
 * A repeatable BullMQ job (like the hold expiry) that deletes stored responses created more than
 * `RESPONSES_RETENTION_DAYS` ago (decision 0022) every `RESPONSES_SWEEP_MS`, in bounded batches so no statement holds locks or
 * bloats WAL for long. One run at a time across all billing replicas; off when the retention is 0 (keep forever).
 */
@Injectable()
export class StoredResponsesRetentionJob implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly log = createLogger('billing.responses-retention');
  private connection: Redis | null = null;
  private queue: Queue | null = null;
  private worker: Worker | null = null;

  constructor(
    private readonly repo: StoredResponsesRepository,
    @Inject(BILLING_CONFIG) private readonly config: Pick<BillingConfig, 'REDIS_URL' | 'TF_NAMESPACE' | 'RESPONSES_RETENTION_DAYS' | 'RESPONSES_SWEEP_MS'>,
    @Optional() private readonly queueDepth?: QueueDepthGauge,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    const name = `tf-${this.config.TF_NAMESPACE || 'default'}-billing.responses-retention`;
    this.connection = new Redis(this.config.REDIS_URL, { maxRetriesPerRequest: null });
    this.queue = new Queue(name, { connection: this.connection });
    this.queueDepth?.watch(this.queue);
    if (this.config.RESPONSES_RETENTION_DAYS === 0) {
      // Kept forever: a scheduler left by an earlier configuration must not delete anything either.
      await this.queue.removeJobScheduler('expire-responses');
      return;
    }
    await this.queue.upsertJobScheduler('expire-responses', { every: this.config.RESPONSES_SWEEP_MS }, { name: 'expire-responses', opts: { removeOnComplete: 100, removeOnFail: 100 } });
    this.worker = new Worker(name, () => this.sweep(), { connection: this.connection, concurrency: 1 });
  }

  /** Deletes what is past retention (at most `MAX_BATCHES_PER_RUN` batches); returns how many entries went. */
  async sweep(now = Date.now()): Promise<number> {
    const days = this.config.RESPONSES_RETENTION_DAYS;
    if (days === 0) return 0;
    const before = new Date(now - days * 86_400_000);
    let deleted = 0;
    for (let i = 0; i < MAX_BATCHES_PER_RUN; i++) {
      const n = await this.repo.deleteBefore(before, DELETE_BATCH);
      deleted += n;
      if (n < DELETE_BATCH) break;
    }
    if (deleted) this.log.info({ deleted, before: before.toISOString() }, 'deleted stored responses past retention');
    return deleted;
  }

  async onApplicationShutdown(): Promise<void> {
    await this.worker?.close();
    await this.queue?.close();
    // BullMQ does not close a connection it was given.
    this.connection?.disconnect();
  }
}
