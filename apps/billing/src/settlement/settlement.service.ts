import { Injectable, type OnApplicationBootstrap } from '@nestjs/common';
import { Subjects, USAGE_STREAM, type UsageRecordedEvent } from '@tokenflow/contracts';
import { type DeliveredEvent, NatsBus } from '@tokenflow/messaging';
import { createLogger } from '@tokenflow/observability';
import { type Price, PricesRepository } from '../prices/prices.repository';
import { LedgerRepository, type UsageEntry } from './ledger.repository';

const PRICE_TTL_MS = 30_000;

/**
 * Turns usage events into ledger entries. JetStream delivers at least once; the ledger's idempotency key
 * (`usage:<eventId>`) makes it exactly once. Batches are written in one statement and acked after commit.
 */
@Injectable()
export class SettlementService implements OnApplicationBootstrap {
  private readonly log = createLogger('billing.settlement');
  private prices: Map<string, Price> = new Map();
  private pricesLoadedAt = 0;

  constructor(
    private readonly bus: NatsBus,
    private readonly ledger: LedgerRepository,
    private readonly pricesRepo: PricesRepository,
  ) {}

  /**
   * Events delivered to a replica that died before acking come back after `ackWaitMs`: short enough that a
   * restart settles quickly, long enough for a batch statement (milliseconds) under a slow database.
   */
  async onApplicationBootstrap(): Promise<void> {
    await this.bus.durable.ensureStream({ name: USAGE_STREAM, subjects: [Subjects.usageRecorded] });
    await this.bus.durable.consumeBatches(
      { stream: USAGE_STREAM, durable: 'billing-settlement', subject: Subjects.usageRecorded, maxBatch: 500, ackWaitMs: 10_000 },
      (batch) => this.settle(batch),
    );
  }

  async settle(batch: DeliveredEvent<UsageRecordedEvent>[]): Promise<number> {
    if (Date.now() - this.pricesLoadedAt > PRICE_TTL_MS) await this.reloadPrices();
    const entries: UsageEntry[] = [];
    for (const { payload: e } of batch) {
      let price = this.prices.get(e.model);
      if (!price) {
        await this.reloadPrices();
        price = this.prices.get(e.model);
      }
      if (!price) {
        // Never bill at a made-up rate; the entry is still recorded (at zero) so the usage is not lost.
        this.log.warn({ model: e.model, requestId: e.requestId }, 'no price for model; usage recorded at zero cost');
        price = { inputNanoPerToken: 0n, outputNanoPerToken: 0n };
      }
      const cost = BigInt(e.promptTokens) * price.inputNanoPerToken + BigInt(e.completionTokens) * price.outputNanoPerToken;
      entries.push({
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
        inputPriceNano: price.inputNanoPerToken,
        outputPriceNano: price.outputNanoPerToken,
      });
    }
    const inserted = await this.ledger.appendUsage(entries);
    if (inserted < entries.length) this.log.info({ duplicates: entries.length - inserted }, 'skipped already-settled events');
    return inserted;
  }

  private async reloadPrices(): Promise<void> {
    this.prices = await this.pricesRepo.all();
    this.pricesLoadedAt = Date.now();
  }
}
