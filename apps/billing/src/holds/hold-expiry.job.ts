import { Inject, Injectable, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { Subjects } from '@tokenflow/contracts';
import { NatsBus } from '@tokenflow/messaging';
import { createLogger, QueueDepthGauge } from '@tokenflow/observability';
import { Queue, Worker } from 'bullmq';
import { Redis } from 'ioredis';
import { BILLING_CONFIG, type BillingConfig } from '../config';
import { LedgerRepository } from '../settlement/ledger.repository';
import { BalanceCache } from './balance-cache';
import { HoldService } from './hold.service';
import { lostHoldCutoff, lostHoldRelease } from './hold-lifetime';

/**
 * A repeatable BullMQ job that releases holds nobody settled or released (an ingress that crashed mid-request):
 * their reserved money returns to the account and the release is recorded in the ledger. It also closes, in the
 * ledger, holds the Redis cache no longer has (Redis lost its data), so escrow never keeps money forever.
 * One job runs at a time across all billing replicas.
 */
@Injectable()
export class HoldExpiryJob implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly log = createLogger('billing.hold-expiry');
  private readonly connection: Redis;
  private queue: Queue | null = null;
  private worker: Worker | null = null;

  constructor(
    private readonly cache: BalanceCache,
    private readonly holds: HoldService,
    private readonly ledger: LedgerRepository,
    private readonly bus: NatsBus,
    @Inject(BILLING_CONFIG) private readonly config: BillingConfig,
    private readonly queueDepth: QueueDepthGauge,
  ) {
    this.connection = new Redis(config.REDIS_URL, { maxRetriesPerRequest: null });
  }

  async onApplicationBootstrap(): Promise<void> {
    const name = `tf-${this.config.TF_NAMESPACE || 'default'}-billing-holds`;
    this.queue = new Queue(name, { connection: this.connection });
    this.queueDepth.watch(this.queue);
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
        // A hold someone else freed meanwhile only leaves its index entry, which release removes.
        if ((await this.holds.release(accountId, requestId, keyId, 'expired')) === 0n) await this.cache.release(accountId, requestId, keyId);
        else released++;
      }
      if (expired.length === 0) break;
    }
    if (released) this.log.warn({ released }, 'released expired holds');
    const lost = await this.closeLostHolds();
    if (lost) this.log.warn({ lost }, 'closed ledger holds the balance cache no longer had');
    return released + lost;
  }

  /** Ledger holds past their lifetime whose Redis hold is gone without a release: recorded as released. */
  private async closeLostHolds(): Promise<number> {
    const cutoff = lostHoldCutoff(Date.now(), this.config.HOLD_TTL_MS, this.config.HOLD_LOST_GRACE_MS);
    let lost = 0;
    for (const h of await this.ledger.openHoldsBefore(cutoff, 1_000)) {
      if ((await this.cache.holdAmount(h.accountId, h.requestId)) !== null) continue; // still open in Redis: expiry frees it
      const { event, msgId } = lostHoldRelease(h);
      await this.bus.publishDurable(Subjects.billingHoldRelease, event, msgId);
      lost++;
    }
    return lost;
  }

  async onApplicationShutdown(): Promise<void> {
    await this.worker?.close();
    await this.queue?.close();
    // BullMQ does not close a connection it was given.
    this.connection.disconnect();
  }
}
