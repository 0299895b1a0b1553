import { Injectable, type OnApplicationBootstrap } from '@nestjs/common';
import { type PriceQuote, Subjects, USAGE_STREAM, type UsageRecordedEvent, usageCostNano } from '@tokenflow/contracts';
import { type DeliveredEvent, NatsBus } from '@tokenflow/messaging';
import { createLogger } from '@tokenflow/observability';
import { AccountsRepository } from '../accounts/accounts.repository';
import { BalanceCache } from '../holds/balance-cache';
import { windowStart } from '../holds/budget-period';
import { PriceBookService, quoteOf } from '../prices/price-book.service';
import { LedgerRepository, type UsageEntry } from './ledger.repository';

/**
 * Turns usage events into ledger entries and closes holds. JetStream delivers at least once; the ledger's
 * idempotency key (`usage:<eventId>`) makes the money move exactly once, hold releases are idempotent, and the
 * balance pushed to Redis is a versioned snapshot read after the commit — so a redelivered batch changes nothing.
 */
export const SETTLEMENT_DURABLE = 'billing-settler';

@Injectable()
export class SettlementService implements OnApplicationBootstrap {
  private readonly log = createLogger('billing.settlement');

  constructor(
    private readonly bus: NatsBus,
    private readonly ledger: LedgerRepository,
    private readonly prices: PriceBookService,
    private readonly accounts: AccountsRepository,
    private readonly cache: BalanceCache,
  ) {}

  /**
   * Events delivered to a replica that died before acking come back after `ackWaitMs`: short enough that a
   * restart settles quickly, long enough for a batch statement (milliseconds) under a slow database.
   */
  async onApplicationBootstrap(): Promise<void> {
    await this.bus.durable.ensureStream({ name: USAGE_STREAM, subjects: [Subjects.usageRecorded, Subjects.billingHoldRelease] });
    await this.bus.durable.consumeBatches({ stream: USAGE_STREAM, durable: SETTLEMENT_DURABLE, maxBatch: 500, ackWaitMs: 10_000 }, (batch) =>
      this.settle(batch),
    );
  }

  async settle(batch: DeliveredEvent[]): Promise<number> {
    const entries: UsageEntry[] = [];
    const releases: { accountId: string; requestId: string; keyId: string }[] = [];
    for (const e of batch) {
      if (e.subject === Subjects.billingHoldRelease) {
        releases.push(e.payload);
      } else if (e.subject === Subjects.usageRecorded) {
        entries.push(await this.entry(e.payload));
        releases.push({ accountId: e.payload.accountId, requestId: e.payload.requestId, keyId: e.payload.keyId });
      }
    }
    const inserted = await this.ledger.appendUsage(entries);
    if (inserted < entries.length) this.log.info({ duplicates: entries.length - inserted }, 'skipped already-settled events');
    // After the commit, first publish the new balances (read back, so redeliveries converge), THEN close the holds:
    // in between, the charge and the hold both count against the account, which is conservative. The other
    // order would briefly show money that was already spent.
    const touched = [...new Set(entries.map((e) => e.accountId))];
    for (const snapshot of await this.accounts.snapshots(touched)) await this.cache.sync(snapshot);
    await this.syncKeyBudgets(entries);
    for (const r of releases) await this.cache.release(r.accountId, r.requestId, r.keyId);
    return inserted;
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
