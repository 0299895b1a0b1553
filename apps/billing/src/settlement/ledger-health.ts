import { Inject, Injectable, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { usdToNano } from '@tokenflow/contracts';
import { createLogger } from '@tokenflow/observability';
import { BILLING_CONFIG, type BillingConfig } from '../config';
import { BalanceCache } from '../holds/balance-cache';

/** How often each replica re-reads the shared flag (another replica's settlement may have set or cleared it). */
const REFRESH_MS = 1_000;
/** How long an outage's per-account unsettled counters live after their last hold: past any outage we survive. */
const UNSETTLED_TTL_MS = 7 * 24 * 3_600_000;

/** What a hold passes to the balance script while the ledger is unavailable. */
export interface UnsettledLimit {
  limitNano: bigint;
  /** The outage this counts in: each outage starts every account's count at zero. */
  epoch: string;
  ttlMs: number;
}

/**
 * Whether settlement can write the ledger, shared by every billing replica through one Redis key holding the
 * moment it stopped (`SET NX`, so the first failure dates the outage). Settlement sets it when a batch fails because
 * Postgres is unreachable and clears it on the next batch it commits. While it is set, holds are granted only up to
 * each account's unsettled-spend limit (docs/decisions/0016).
 */
@Injectable()
export class LedgerHealth implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly log = createLogger('billing.ledger-health');
  private readonly key: string;
  private downSince: number | null = null;
  private timer: NodeJS.Timeout | null = null;

  constructor(
    private readonly cache: BalanceCache,
    @Inject(BILLING_CONFIG) private readonly config: BillingConfig,
  ) {
    this.key = `tf:${config.TF_NAMESPACE}:ledger-down-since`;
  }

  async onApplicationBootstrap(): Promise<void> {
    await this.refresh().catch(() => undefined);
    this.timer = setInterval(() => void this.refresh().catch(() => undefined), REFRESH_MS);
    this.timer.unref();
  }

  onApplicationShutdown(): void {
    if (this.timer) clearInterval(this.timer);
  }

  /** Since when the ledger cannot be written, as this replica last saw it; null when it can. */
  get unavailableSince(): Date | null {
    return this.downSince === null ? null : new Date(this.downSince);
  }

  /** The limit a hold must respect now, or null when the ledger is available. */
  unsettledLimit(): UnsettledLimit | null {
    if (this.downSince === null) return null;
    return { limitNano: usdToNano(this.config.UNSETTLED_LIMIT_USD) ?? 0n, epoch: String(this.downSince), ttlMs: UNSETTLED_TTL_MS };
  }

  async markDown(): Promise<void> {
    const set = await this.cache.redis.set(this.key, String(Date.now()), 'NX');
    if (set) this.log.error('ledger unavailable: settlement cannot write; holds are now limited by UNSETTLED_LIMIT_USD per account');
    await this.refresh();
  }

  /** After a committed batch: a no-op unless an outage was on (this replica's view is at most REFRESH_MS old). */
  async markUp(): Promise<void> {
    if (this.downSince === null) return;
    const since = this.downSince;
    this.downSince = null;
    if (await this.cache.redis.del(this.key)) this.log.warn({ downForMs: Date.now() - since }, 'ledger available again: settlement is writing');
  }

  private async refresh(): Promise<void> {
    const v = await this.cache.redis.get(this.key);
    this.downSince = v === null ? null : Number(v);
  }
}
