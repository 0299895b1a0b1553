import { Injectable, type OnApplicationBootstrap } from '@nestjs/common';
import { type PriceQuote, type PricingTerms, Subjects, TfError } from '@tokenflow/contracts';
import { NatsBus } from '@tokenflow/messaging';
import { type PriceVersion, PricesRepository } from './prices.repository';
import { indexByModel, versionAt } from './price-versions';
import { requestQuote } from './request-quote';

const REFRESH_MS = 60_000;

/**
 * The price book in memory: every version of every model's price, newest first, so a request is priced at the
 * version in force when it started. Reloaded on a price-change broadcast (all replicas) and every minute.
 */
@Injectable()
export class PriceBookService implements OnApplicationBootstrap {
  private byModel = new Map<string, PriceVersion[]>();
  private loadedAt = 0;
  private refreshing: Promise<void> | null = null;

  constructor(
    private readonly prices: PricesRepository,
    private readonly bus: NatsBus,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    await this.reload();
    this.bus.on(Subjects.billingPricesChanged, () => this.reload());
  }

  async reload(): Promise<void> {
    this.byModel = indexByModel(await this.prices.all());
    this.loadedAt = Date.now();
  }

  /**
   * The version in force at `at`, or null when the model has none (it must then be refused, never guessed).
   * A stale book is refreshed in the background; requests never wait for Postgres, and a failed refresh keeps
   * the prices already known.
   */
  async priceAt(model: string, at = new Date()): Promise<PriceVersion | null> {
    if (Date.now() - this.loadedAt > REFRESH_MS && !this.refreshing) {
      this.refreshing = this.reload()
        .catch(() => undefined)
        .finally(() => (this.refreshing = null));
    }
    return versionAt(this.byModel.get(model), at);
  }

  /** The quote a request is held and billed at: the version in force, for what the request asks (`requestQuote`). */
  async quote(model: string, terms?: PricingTerms): Promise<PriceQuote> {
    const v = await this.priceAt(model);
    if (!v) {
      throw new TfError('model_not_priced', `The model '${model}' has no price configured, so it cannot be billed. Ask the operator to set one.`, {
        param: 'model',
      });
    }
    return requestQuote(v, terms, model);
  }

  versions(model: string): PriceVersion[] {
    return this.byModel.get(model) ?? [];
  }

  async set(v: PriceVersion): Promise<void> {
    await this.prices.upsert(v);
    await this.reload();
    this.bus.emit(Subjects.billingPricesChanged, { model: v.model });
  }
}
