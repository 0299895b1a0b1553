import { Inject, Injectable, type OnApplicationBootstrap, type OnModuleInit, Optional } from '@nestjs/common';
import { DurableConsumers, Streams, type UsageRecordedEvent } from '@tokenflow/contracts';
import { type DeliveredEvent, type FailedEvent, type FailurePolicy, NatsBus } from '@tokenflow/messaging';
import { createLogger } from '@tokenflow/observability';
import { AccountsRepository } from '../accounts/accounts.repository';
import { BILLING_CONFIG, type BillingConfig } from '../config';
import { BalanceCache } from '../holds/balance-cache';
import { BillingMetrics } from '../metrics/billing-metrics';
import { windowStart } from '../holds/budget-period';
import { PriceBookService } from '../prices/price-book.service';
import { quoteOf } from '../prices/price-versions';
import { ParkedUsageRepository } from '../parked/parked-usage.repository';
import { failureReason, ledgerUnreachable, poisonSettlementFailure, transientSettlementFailure } from './ledger-errors';
import { LedgerHealth } from './ledger-health';
import { LedgerRepository, type UsageEntry } from './ledger.repository';
import {
  abandonedEnds,
  carriedQuote,
  chargedKeys,
  freedAmount,
  planSettlement,
  releaseMovements,
  touchedAccounts,
  usageEntry,
  ZERO_QUOTE,
} from './settlement-plan';

/**
 * Turns usage and hold events into ledger entries and closes holds. JetStream delivers at least once; the ledger's
 * idempotency key (`usage:<eventId>`) makes the money move exactly once, hold releases are idempotent, and the
 * balance pushed to Redis is a versioned snapshot read after the commit — so a redelivered batch changes nothing.
 * Billing owns the usage stream (libs/contracts `Streams.usage`) and this consumer (`DurableConsumers.billingSettlement`).
 */
@Injectable()
export class SettlementService implements OnModuleInit, OnApplicationBootstrap {
  private readonly log = createLogger('billing.settlement');

  constructor(
    private readonly bus: NatsBus,
    private readonly ledger: LedgerRepository,
    private readonly prices: PriceBookService,
    private readonly accounts: AccountsRepository,
    private readonly cache: BalanceCache,
    private readonly health: LedgerHealth,
    private readonly parked: ParkedUsageRepository,
    @Inject(BILLING_CONFIG) private readonly config: BillingConfig,
    @Optional() private readonly metrics: BillingMetrics = BillingMetrics.detached(),
  ) {}

  /** Before any service answers (onApplicationBootstrap), so billing's own hold events always have their stream. */
  async onModuleInit(): Promise<void> {
    await this.bus.durable.ensureStream(Streams.usage);
  }

  async onApplicationBootstrap(): Promise<void> {
    await this.bus.durable.consumeBatches(DurableConsumers.billingSettlement, (batch) => this.metrics.timeSettle(() => this.settle(batch)), this.failurePolicy());
  }

  /**
   * No event is dropped: while Postgres cannot be written, batches come back for as long as it takes (and holds are
   * risk-limited meanwhile); an event that keeps failing for its own sake is parked in `billing.parked_usage`, and
   * acked only once that row is written — if Postgres cannot take it either, it stays in the stream.
   */
  private failurePolicy(): FailurePolicy {
    return {
      // The ledger-down flag is set (awaited) by settle() itself, before the batch is handed back.
      transient: transientSettlementFailure,
      poison: poisonSettlementFailure,
      park: async (f: FailedEvent) => {
        const eventKey = f.msgId ?? `${f.stream}:${f.seq}`;
        await this.parked.park({ subject: f.subject, eventKey, event: f.data, streamSeq: f.seq, storedAt: f.storedAt, reason: failureReason(f.error), attempts: f.deliveries });
        this.log.error({ err: f.error, subject: f.subject, eventKey, deliveries: f.deliveries }, 'usage event parked in billing.parked_usage; it is replayed automatically and by POST /admin/v1/usage/parked/{id}/replay');
        return true;
      },
    };
  }

  async settle(batch: DeliveredEvent[]): Promise<number> {
    const plan = planSettlement(batch);
    const usage: UsageEntry[] = [];
    for (const u of plan.usage) usage.push(await this.entry(u));
    const { holds, ends } = plan;
    // Release entries are written BEFORE the holds are freed in Redis, from the amounts the open holds still show:
    // a crash in between leaves holds that the redelivered batch frees, never a freed hold without its entry.
    const releases = releaseMovements(ends, await Promise.all(ends.map((r) => freedAmount(r) ?? this.cache.holdAmount(r.accountId, r.requestId))));
    const abandoned = abandonedEnds(ends, releases);
    const outage = await this.health.outageStart();
    let inserted: number;
    try {
      inserted = await this.ledger.appendBatch({ usage, holds, releases }, this.config.SETTLEMENT_STATEMENT_TIMEOUT_MS);
    } catch (err) {
      if (ledgerUnreachable(err)) await this.health.markDown().catch((e: unknown) => this.log.warn({ err: e }, 'could not flag the ledger unavailable'));
      throw err;
    }
    await this.health.markUp(outage).catch((err: unknown) => this.log.warn({ err }, 'could not clear the ledger-unavailable flag; the probe will'));
    if (inserted < usage.length) this.log.info({ duplicates: usage.length - inserted }, 'skipped already-settled events');
    // After the commit, first publish the new balances (read back, so redeliveries converge), THEN close the holds:
    // in between, the charge and the hold both count against the account, which is conservative. The other
    // order would briefly show money that was already spent.
    for (const snapshot of await this.accounts.snapshots(touchedAccounts(usage))) await this.cache.sync(snapshot);
    await this.syncKeyBudgets(usage);
    // Independent keys: sent together, pipelined into few round trips.
    await Promise.all(ends.map((r) => this.cache.release(r.accountId, r.requestId, r.keyId)));
    // A release that found no hold may have overtaken its hold (ingress gave up on a slow billing): refuse it.
    await Promise.all(abandoned.map((r) => this.cache.abandon(r.accountId, r.requestId, this.config.HOLD_TTL_MS)));
    return inserted;
  }

  /** Keys with a cached budget get their window's spend re-read from the ledger (a no-op for other keys). */
  private async syncKeyBudgets(entries: UsageEntry[]): Promise<void> {
    for (const [keyId, accountId] of chargedKeys(entries)) {
      const window = await this.cache.budgetWindowOf(accountId, keyId);
      if (window === null) continue;
      const spent = await this.ledger.keySpendSince(keyId, windowStart(window));
      await this.cache.budgetSync(accountId, keyId, window, spent, false);
    }
  }

  /** Priced at the quote carried from the request's start; events from before quotes existed use the price book. */
  private async entry(e: UsageRecordedEvent): Promise<UsageEntry> {
    const carried = carriedQuote(e);
    if (carried) return usageEntry(e, carried);
    const v = await this.prices.priceAt(e.model, new Date(e.occurredAt));
    if (!v) this.log.warn({ model: e.model, requestId: e.requestId }, 'no price for model; usage recorded at zero cost');
    return usageEntry(e, v ? quoteOf(v) : ZERO_QUOTE);
  }
}
