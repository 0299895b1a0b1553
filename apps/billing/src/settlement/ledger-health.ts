import { Inject, Injectable, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { DurableConsumers, usdToNano } from '@tokenflow/contracts';
import { NatsBus } from '@tokenflow/messaging';
import { createLogger } from '@tokenflow/observability';
import { DataSource } from 'typeorm';
import { BILLING_CONFIG, type BillingConfig } from '../config';
import { BalanceCache } from '../holds/balance-cache';
import { compareAndDelete, setNxGet } from './owned-keys.lua';

/** How often each replica re-reads the shared flag, and, while it is set, probes the ledger itself. */
const REFRESH_MS = 1_000;
/** A probe that takes longer than this counts as the ledger not answering. */
const PROBE_TIMEOUT_MS = 800;
/** Settlement has caught up when nothing is pending, or the oldest pending event is younger than this (normal lag). */
const CAUGHT_UP_MS = 2_000;
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
 * moment the outage began (the first failure dates it). Settlement sets it when a batch fails because Postgres is
 * unreachable. It is cleared — compare-and-delete on that start, so a later outage's flag is never removed — only
 * when the ledger can be written again AND settlement has caught up: by the commit of a batch, or by this class's
 * own probe, every second while the flag is set (so a flag set by a late write, or one no batch will clear because
 * UNSETTLED_LIMIT_USD=0 lets no new usage in, still clears). Until the backlog drains, a flap keeps the same
 * outage and so the same per-account counters. While it is set, holds are granted only up to each account's
 * unsettled-spend limit (docs/decisions/0016).
 */
@Injectable()
export class LedgerHealth implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly log = createLogger('billing.ledger-health');
  private readonly key: string;
  private downSince: number | null = null;
  private timer: NodeJS.Timeout | null = null;
  private ticking = false;

  constructor(
    private readonly cache: BalanceCache,
    @Inject(BILLING_CONFIG) private readonly config: BillingConfig,
    private readonly db: DataSource,
    private readonly bus: NatsBus,
  ) {
    this.key = `tf:${config.TF_NAMESPACE}:ledger-down-since`;
  }

  async onApplicationBootstrap(): Promise<void> {
    await this.refresh().catch(() => undefined);
    this.timer = setInterval(() => void this.tick(), REFRESH_MS);
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

  /** The shared flag as Redis has it now (not this replica's copy): read before a settlement transaction. */
  async outageStart(): Promise<string | null> {
    return this.cache.redis.get(this.key);
  }

  /** Awaited by settlement before the failed batch is handed back, so the flag is in place before anyone retries. */
  async markDown(): Promise<void> {
    const now = String(Date.now());
    const since = await setNxGet(this.cache.redis, this.key, now);
    if (since === now) this.log.error('ledger unavailable: settlement cannot write; holds are now limited by UNSETTLED_LIMIT_USD per account');
    this.downSince = Number(since);
  }

  /**
   * After a committed batch: `since` is the flag as read before the transaction (a commit proves nothing about an
   * outage flagged while it ran). Clears it once settlement has caught up; otherwise the probe will.
   */
  async markUp(since: string | null): Promise<void> {
    if (since === null) return;
    if (await this.caughtUp()) await this.clear(since);
  }

  /** One refresh, and while the flag is set, one probe of the ledger. */
  async tick(): Promise<void> {
    if (this.ticking) return;
    this.ticking = true;
    try {
      await this.refresh();
      if (this.downSince === null) return;
      const since = String(this.downSince);
      if ((await this.ledgerWritable()) && (await this.caughtUp())) await this.clear(since);
    } catch {
      // Redis or NATS unreachable: keep the view we have; the next tick tries again.
    } finally {
      this.ticking = false;
    }
  }

  private async clear(since: string): Promise<void> {
    if (await compareAndDelete(this.cache.redis, this.key, since)) {
      this.log.warn({ downForMs: Date.now() - Number(since) }, 'ledger available again and settlement caught up: holds are no longer limited');
    }
    await this.refresh();
  }

  /**
   * Whether a settlement transaction could commit now: a primary (not a standby, not read-only after a failover)
   * that grants the lock an INSERT into the ledger takes, all within a short timeout. Rolled back; writes nothing.
   */
  private async ledgerWritable(): Promise<boolean> {
    const probe = this.db.transaction(async (m) => {
      await m.query(`SET LOCAL statement_timeout = ${PROBE_TIMEOUT_MS}`);
      const [r] = (await m.query(`SELECT pg_is_in_recovery() AS recovery, current_setting('transaction_read_only') AS read_only`)) as { recovery: boolean; read_only: string }[];
      if (!r || r.recovery || r.read_only === 'on') return false;
      await m.query('LOCK TABLE billing.ledger_entries IN ROW EXCLUSIVE MODE NOWAIT');
      return true;
    });
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(false), PROBE_TIMEOUT_MS * 2)));
    try {
      return await Promise.race([probe.catch(() => false), timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  private async caughtUp(): Promise<boolean> {
    const lag = await this.bus.durable.lag(DurableConsumers.billingSettlement);
    return lag.pending === 0 || lag.oldestPendingAt === null || Date.now() - lag.oldestPendingAt.getTime() < CAUGHT_UP_MS;
  }

  private async refresh(): Promise<void> {
    const v = await this.cache.redis.get(this.key);
    this.downSince = v === null ? null : Number(v);
  }
}
