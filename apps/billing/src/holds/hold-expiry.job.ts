import { Inject, Injectable, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { createLogger } from '@tokenflow/observability';
import { Queue, Worker } from 'bullmq';
import { Redis } from 'ioredis';
import { BILLING_CONFIG, type BillingConfig } from '../config';
import { BalanceCache } from './balance-cache';

/**
 * A repeatable BullMQ job that releases holds nobody settled or released (an ingress that crashed mid-request):
 * their reserved money returns to the account. One job runs at a time across all billing replicas.
 */
@Injectable()
export class HoldExpiryJob implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly log = createLogger('billing.hold-expiry');
  private readonly connection: Redis;
  private queue: Queue | null = null;
  private worker: Worker | null = null;

  constructor(
    private readonly cache: BalanceCache,
    @Inject(BILLING_CONFIG) private readonly config: BillingConfig,
  ) {
    this.connection = new Redis(config.REDIS_URL, { maxRetriesPerRequest: null });
  }

  async onApplicationBootstrap(): Promise<void> {
    const name = `tf-${this.config.TF_NAMESPACE || 'default'}-billing-holds`;
    this.queue = new Queue(name, { connection: this.connection });
    await this.queue.upsertJobScheduler('expire-holds', { every: this.config.HOLD_SWEEP_MS }, { name: 'expire-holds', opts: { removeOnComplete: 100, removeOnFail: 100 } });
    this.worker = new Worker(name, () => this.sweep(), { connection: this.connection, concurrency: 1 });
  }

  /** Releases every expired hold; returns how many were released. */
  async sweep(): Promise<number> {
    let released = 0;
    // Page until nothing expired is left, so a backlog (billing was down) is cleared in one run.
    for (let page = 0; page < 1_000; page++) {
      const expired = await this.cache.expiredHolds();
      for (const { accountId, requestId, keyId } of expired) {
        await this.cache.release(accountId, requestId, keyId);
        released++;
      }
      if (expired.length === 0) break;
    }
    if (released) this.log.warn({ released }, 'released expired holds');
    return released;
  }

  async onApplicationShutdown(): Promise<void> {
    await this.worker?.close();
    await this.queue?.close();
    // BullMQ does not close a connection it was given.
    this.connection.disconnect();
  }
}
