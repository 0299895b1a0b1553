import { Inject, Injectable } from '@nestjs/common';
import { type HoldReleaseEvent, type HoldReply, type HoldRequest, Subjects, TfError } from '@tokenflow/contracts';
import { NatsBus } from '@tokenflow/messaging';
import { AccountsRepository } from '../accounts/accounts.repository';
import { BILLING_CONFIG, type BillingConfig } from '../config';
import { BillingMetrics } from '../metrics/billing-metrics';
import { PriceBookService } from '../prices/price-book.service';
import { createLogger } from '@tokenflow/observability';
import { LedgerHealth } from '../settlement/ledger-health';
import { LedgerRepository } from '../settlement/ledger.repository';
import { BalanceCache } from './balance-cache';
import { holdAmountNano, holdBudget, holdRefusal } from './hold-pricing';
import type { HoldResult } from './hold-reply';
import { HoldRecorder } from './hold-recorder';

/** What a caller refused by the unsettled-spend limit is told to wait: settlement retries every few seconds. */
const LEDGER_RETRY_AFTER_MS = 5_000;

/**
 * Admission: reserve a request's maximum cost (prompt tokens × input price + output limit × output price) against
 * the account's available balance (balance + credit limit − open holds), atomically in Redis, so no number of
 * concurrent requests can spend past zero. Steady state touches only Redis; Postgres is read once per account
 * per cache lifetime.
 */
@Injectable()
export class HoldService {
  private readonly log = createLogger('billing.holds');

  constructor(
    private readonly cache: BalanceCache,
    private readonly accounts: AccountsRepository,
    private readonly prices: PriceBookService,
    private readonly ledger: LedgerRepository,
    private readonly bus: NatsBus,
    private readonly recorder: HoldRecorder,
    private readonly health: LedgerHealth,
    @Inject(BILLING_CONFIG) private readonly config: BillingConfig,
    private readonly metrics: BillingMetrics,
  ) {}

  async place(req: HoldRequest): Promise<HoldReply> {
    try {
      return await this.metrics.timeHold(() => this.placeHold(req));
    } catch (err) {
      if (err instanceof TfError) throw err;
      // Redis or Postgres trouble: the caller should retry, not see an internal error.
      this.log.error({ err, requestId: req.requestId }, 'hold failed');
      throw new TfError('service_unavailable', 'Billing is temporarily unavailable. Please retry shortly.');
    }
  }

  private async placeHold(req: HoldRequest): Promise<HoldReply> {
    // Priced for what the request asks (service tier, cache writes, audio), or refused if the book cannot price it.
    const price = await this.prices.quote(req.model, req.terms);
    const amount = holdAmountNano(req.promptTokens, req.maxOutputTokens, price, req.terms?.audioTokens);
    const { window, budget } = holdBudget(req.keyBudget);
    let result: HoldResult = { cold: 'account' };
    // A cold cache is filled from Postgres once and the hold retried (twice at most: account, then key budget).
    for (let attempt = 0; attempt < 3 && 'cold' in result; attempt++) {
      if (attempt > 0) await this.warm(req, result.cold, window);
      result = await this.cache.hold(req.accountId, req.requestId, req.keyId, amount, this.config.HOLD_TTL_MS, budget, this.health.unsettledLimit());
    }
    if ('riskLimited' in result) {
      throw new TfError(
        'ledger_unavailable',
        'Billing cannot record usage right now and this account has reached the spend it may run up meanwhile. Please retry shortly.',
        { retryAfterMs: LEDGER_RETRY_AFTER_MS },
      );
    }
    if ('cold' in result) throw new TfError('service_unavailable', 'The balance cache is unavailable. Please retry shortly.');
    if ('abandoned' in result) throw new TfError('service_unavailable', 'This request was abandoned before its hold could be placed.');
    if (!result.granted) throw holdRefusal(result.short, result.remainingNano, amount, req.keyBudget);
    this.recorder.record({ requestId: req.requestId, accountId: req.accountId, keyId: req.keyId, model: req.model, amountNano: amount.toString() });
    return { holdId: req.requestId, amountNano: amount.toString(), price };
  }

  private async warm(req: HoldRequest, what: 'account' | 'key-budget', window: { id: string; start: Date | null } | null): Promise<void> {
    if (what === 'account') {
      const snapshot = await this.accounts.snapshot(req.accountId);
      if (!snapshot) throw new TfError('invalid_api_key', 'The account of this API key no longer exists.');
      await this.cache.sync(snapshot);
    } else if (window) {
      const spent = await this.ledger.keySpendSince(req.keyId, window.start);
      await this.cache.budgetSync(req.accountId, req.keyId, window.id, spent, true);
      // A settlement that committed between that read and the write skipped the not-yet-existing cache: read again.
      await this.cache.budgetSync(req.accountId, req.keyId, window.id, await this.ledger.keySpendSince(req.keyId, window.start), false);
    }
  }

  /**
   * Frees a hold now and has settlement record the release with the amount freed. The event is published first:
   * a crash before the Redis release leaves the hold open for the event (or the expiry job) to free. Its msgId is
   * not ingress's `release:<id>`, so JetStream's dedupe cannot drop this one (which carries the amount) in favour
   * of an earlier amount-less one that may find the hold already gone.
   */
  async release(accountId: string, requestId: string, keyId: string, reason: NonNullable<HoldReleaseEvent['reason']> = 'failed'): Promise<bigint> {
    const amount = await this.cache.holdAmount(accountId, requestId);
    if (amount === null) return 0n;
    await this.bus.publishDurable(Subjects.billingHoldRelease, { requestId, accountId, keyId, amountNano: amount.toString(), reason }, `freed:${requestId}`);
    return this.cache.release(accountId, requestId, keyId);
  }
}
