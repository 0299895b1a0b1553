import { Inject, Injectable } from '@nestjs/common';
import { type HoldReply, type HoldRequest, nanoToUsd, TfError } from '@tokenflow/contracts';
import { AccountsRepository } from '../accounts/accounts.repository';
import { BILLING_CONFIG, type BillingConfig } from '../config';
import { PriceBookService } from '../prices/price-book.service';
import { BalanceCache } from './balance-cache';

/**
 * Admission: reserve a request's maximum cost (prompt tokens × input price + output limit × output price) against
 * the account's available balance (balance + credit limit − open holds), atomically in Redis, so no number of
 * concurrent requests can spend past zero. Steady state touches only Redis; Postgres is read once per account
 * per cache lifetime.
 */
@Injectable()
export class HoldService {
  constructor(
    private readonly cache: BalanceCache,
    private readonly accounts: AccountsRepository,
    private readonly prices: PriceBookService,
    @Inject(BILLING_CONFIG) private readonly config: BillingConfig,
  ) {}

  async place(req: HoldRequest): Promise<HoldReply> {
    const price = await this.prices.quote(req.model);
    const amount =
      BigInt(Math.max(0, req.promptTokens)) * BigInt(price.inputNanoPerToken) +
      BigInt(Math.max(0, req.maxOutputTokens)) * BigInt(price.outputNanoPerToken);
    let result = await this.cache.hold(req.accountId, req.requestId, amount, this.config.HOLD_TTL_MS);
    if ('cold' in result) {
      const snapshot = await this.accounts.snapshot(req.accountId);
      if (!snapshot) throw new TfError('invalid_api_key', 'The account of this API key no longer exists.');
      await this.cache.sync(snapshot);
      result = await this.cache.hold(req.accountId, req.requestId, amount, this.config.HOLD_TTL_MS);
    }
    if ('cold' in result) throw new TfError('service_unavailable', 'The balance cache is unavailable. Please retry shortly.');
    if (!result.granted) {
      const available = result.availableNano > 0n ? result.availableNano : 0n;
      throw new TfError(
        'insufficient_quota',
        `You exceeded your current quota: this request may cost up to $${nanoToUsd(amount)} and the account has $${nanoToUsd(available)} available. Add credits or lower max_tokens.`,
      );
    }
    return { holdId: req.requestId, amountNano: amount.toString(), price };
  }

  release(accountId: string, requestId: string): Promise<bigint> {
    return this.cache.release(accountId, requestId);
  }
}
