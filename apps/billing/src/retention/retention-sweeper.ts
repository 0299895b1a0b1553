import type { Logger, QueueDepthGauge } from '@tokenflow/observability';
import { Queue, Worker } from 'bullmq';
import { Redis } from 'ioredis';

/** What one table's retention is: how old a row may get, and how it is deleted. */
export interface RetentionPolicy {
  /** In the queue's name and the log line (`request-log`, `responses`). */
  name: string;
  /** Days a row is kept; 0 keeps rows forever (the job is off, and an earlier schedule removed). */
  days: number;
  everyMs: number;
  /** Rows one DELETE removes, and the most one run removes (a backlog is worked off over several runs). */
  batch: number;
  maxBatches: number;
  /** Deletes up to `batch` rows older than `before`; how many went. */
  deleteBefore(before: Date, batch: number): Promise<number>;
}

/**
 * A repeatable BullMQ job (like the hold expiry) that deletes rows past their retention in bounded batches, so no
 * statement holds locks or bloats WAL for long. One run at a time across all billing replicas.
 */
export class RetentionSweeper {
  private connection: Redis | null = null;
  private queue: Queue | null = null;
  private worker: Worker | null = null;

  constructor(
    private readonly policy: RetentionPolicy,
    private readonly redis: { REDIS_URL: string; TF_NAMESPACE: string },
    private readonly log: Logger,
    private readonly queueDepth?: QueueDepthGauge,
  ) {}

  async start(): Promise<void> {
    const name = `tf-${this.redis.TF_NAMESPACE || 'default'}-billing-${this.policy.name}-retention`;
    const scheduler = `expire-${this.policy.name}`;
    this.connection = new Redis(this.redis.REDIS_URL, { maxRetriesPerRequest: null });
    this.queue = new Queue(name, { connection: this.connection });
    this.queueDepth?.watch(this.queue);
    if (this.policy.days === 0) {
      // Kept forever: a scheduler left by an earlier configuration must not delete anything either.
      await this.queue.removeJobScheduler(scheduler);
      return;
    }
    await this.queue.upsertJobScheduler(scheduler, { every: this.policy.everyMs }, { name: scheduler, opts: { removeOnComplete: 100, removeOnFail: 100 } });
    this.worker = new Worker(name, () => this.sweep(), { connection: this.connection, concurrency: 1 });
  }

  /** Deletes what is past retention (at most `maxBatches` batches); returns how many rows went. */
  async sweep(now = Date.now()): Promise<number> {
    const { days, batch, maxBatches } = this.policy;
    if (days === 0) return 0;
    const before = new Date(now - days * 86_400_000);
    let deleted = 0;
    for (let i = 0; i < maxBatches; i++) {
      const n = await this.policy.deleteBefore(before, batch);
      deleted += n;
      if (n < batch) break;
    }
    if (deleted) this.log.info({ deleted, before: before.toISOString() }, `deleted ${this.policy.name} rows past retention`);
    return deleted;
  }

  async stop(): Promise<void> {
    await this.worker?.close();
    await this.queue?.close();
    // BullMQ does not close a connection it was given.
    this.connection?.disconnect();
  }
}
