import { Inject, Injectable, type OnApplicationBootstrap } from '@nestjs/common';
import { type HoldReleaseEvent, type PriceQuote, Subjects, USAGE_STREAM, type UsageRecordedEvent, usageCostNano } from '@tokenflow/contracts';
import { type DeliveredEvent, NatsBus } from '@tokenflow/messaging';
import { createLogger } from '@tokenflow/observability';
import { AccountsRepository } from '../accounts/accounts.repository';
import { BILLING_CONFIG, type BillingConfig } from '../config';
import { BalanceCache } from '../holds/balance-cache';
import { windowStart } from '../holds/budget-period';
import { PriceBookService, quoteOf } from '../prices/price-book.service';
import { type HoldMovement, LedgerRepository, type UsageEntry } from './ledger.repository';

/**
 * Turns usage and hold events into ledger entries and closes holds. JetStream delivers at least once; the ledger's
 * idempotency key (`usage:<eventId>`) makes the money move exactly once, hold releases are idempotent, and the
 * balance pushed to Redis is a versioned snapshot read after the commit — so a redelivered batch changes nothing.
 */
export const SETTLEMENT_DURABLE = 'billing-settler';

/** A hold to close in this batch; the amount is known when billing already freed it itself. */
type HoldEnd = HoldReleaseEvent & { model: string | null; requested: boolean };

@Injectable()
export class SettlementService implements OnApplicationBootstrap {
  private readonly log = createLogger('billing.settlement');

  constructor(
    private readonly bus: NatsBus,
    private readonly ledger: LedgerRepository,
    private readonly prices: PriceBookService,
    private readonly accounts: AccountsRepository,
    private readonly cache: BalanceCache,
    @Inject(BILLING_CONFIG) private readonly config: BillingConfig,
  ) {}

  /**
   * Events delivered to a replica that died before acking come back after `ackWaitMs`: short enough that a
   * restart settles quickly, long enough for a batch statement (milliseconds) under a slow database.
   */
  async onApplicationBootstrap(): Promise<void> {
    await this.bus.durable.ensureStream({ name: USAGE_STREAM, subjects: [Subjects.usageRecorded, Subjects.billingHoldRelease, Subjects.billingHoldsPlaced] });
    await this.bus.durable.consumeBatches({ stream: USAGE_STREAM, durable: SETTLEMENT_DURABLE, maxBatch: 500, ackWaitMs: 10_000 }, (batch) =>
      this.settle(batch),
    );
  }

  async settle(batch: DeliveredEvent[]): Promise<number> {
    const usage: UsageEntry[] = [];
    const holds: HoldMovement[] = [];
    const ending = new Map<string, HoldEnd>();
    for (const e of batch) {
      if (e.subject === Subjects.billingHoldsPlaced) {
        for (const h of e.payload.holds) {
          holds.push({ requestId: h.requestId, accountId: h.accountId, keyId: h.keyId, model: h.model, amountNano: BigInt(h.amountNano), note: null });
        }
      } else if (e.subject === Subjects.billingHoldRelease) {
        ending.set(e.payload.requestId, { ...e.payload, model: null, requested: true });
      } else if (e.subject === Subjects.usageRecorded) {
        const u = e.payload;
        usage.push(await this.entry(u));
        if (!ending.has(u.requestId)) ending.set(u.requestId, { requestId: u.requestId, accountId: u.accountId, keyId: u.keyId, model: u.model, requested: false });
      }
    }
    // Release entries are written BEFORE the holds are freed in Redis, from the amounts the open holds still show:
    // a crash in between leaves holds that the redelivered batch frees, never a freed hold without its entry.
    const releases = await this.releaseMovements([...ending.values()]);
    const recorded = new Set(releases.map((m) => m.requestId));
    const abandoned = [...ending.values()].filter((r) => r.requested && !recorded.has(r.requestId));
    const inserted = await this.ledger.appendBatch({ usage, holds, releases });
    if (inserted < usage.length) this.log.info({ duplicates: usage.length - inserted }, 'skipped already-settled events');
    // After the commit, first publish the new balances (read back, so redeliveries converge), THEN close the holds:
    // in between, the charge and the hold both count against the account, which is conservative. The other
    // order would briefly show money that was already spent.
    const touched = [...new Set(usage.map((e) => e.accountId))];
    for (const snapshot of await this.accounts.snapshots(touched)) await this.cache.sync(snapshot);
    await this.syncKeyBudgets(usage);
    // Independent keys: sent together, pipelined into few round trips.
    await Promise.all([...ending.values()].map((r) => this.cache.release(r.accountId, r.requestId, r.keyId)));
    // A release that found no hold may have overtaken its hold (ingress gave up on a slow billing): refuse it.
    await Promise.all(abandoned.map((r) => this.cache.abandon(r.accountId, r.requestId, this.config.HOLD_TTL_MS)));
    return inserted;
  }

  private async releaseMovements(ends: HoldEnd[]): Promise<HoldMovement[]> {
    const amounts = await Promise.all(
      ends.map((r) => (r.amountNano !== undefined ? BigInt(r.amountNano) : this.cache.holdAmount(r.accountId, r.requestId))),
    );
    return ends.flatMap((r, i) => {
      const amountNano = amounts[i];
      if (amountNano === null) return []; // no open hold: released before, or never placed
      return [{ requestId: r.requestId, accountId: r.accountId, keyId: r.keyId, model: r.model, amountNano, note: r.reason ?? 'settled' }];
    });
  }

  /** Keys with a cached budget get their window's spend re-read from the ledger (a no-op for other keys). */
  private async syncKeyBudgets(entries: UsageEntry[]): Promise<void> {
    const pairs = new Map(entries.map((e) => [e.keyId, e.accountId]));
    for (const [keyId, accountId] of pairs) {
      const window = await this.cache.budgetWindowOf(accountId, keyId);
      if (window === null) continue;
      const spent = await this.ledger.keySpendSince(keyId, windowStart(window));
      await this.cache.budgetSync(accountId, keyId, window, spent, false);
    }
  }

  /** Priced at the quote carried from the request's start; events from before quotes existed use the price book. */
  private async entry(e: UsageRecordedEvent): Promise<UsageEntry> {
    let quote: PriceQuote | null =
      e.inputNanoPerToken !== undefined && e.outputNanoPerToken !== undefined
        ? { inputNanoPerToken: e.inputNanoPerToken, outputNanoPerToken: e.outputNanoPerToken, cachedInputNanoPerToken: e.cachedInputNanoPerToken }
        : null;
    if (!quote) {
      const v = await this.prices.priceAt(e.model, new Date(e.occurredAt));
      if (!v) this.log.warn({ model: e.model, requestId: e.requestId }, 'no price for model; usage recorded at zero cost');
      quote = v ? quoteOf(v) : { inputNanoPerToken: '0', outputNanoPerToken: '0' };
    }
    const cost = usageCostNano(e, quote);
    return {
      idempotencyKey: `usage:${e.eventId}`,
      accountId: e.accountId,
      amountNano: -cost,
      requestId: e.requestId,
      keyId: e.keyId,
      model: e.model,
      channelId: e.channelId,
      promptTokens: e.promptTokens,
      completionTokens: e.completionTokens,
      cachedTokens: e.cachedTokens,
      reasoningTokens: e.reasoningTokens,
      inputPriceNano: BigInt(quote.inputNanoPerToken),
      outputPriceNano: BigInt(quote.outputNanoPerToken),
      cachedInputPriceNano: quote.cachedInputNanoPerToken === undefined ? null : BigInt(quote.cachedInputNanoPerToken),
    };
  }
}
