import { Injectable, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import { Subjects, TfError } from '@tokenflow/contracts';
import { NatsBus } from '@tokenflow/messaging';
import { RoutingTable } from '../planning/routing-table';

/** While billing does not answer (it may boot after us), the book is asked again this often; then once a minute. */
const RETRY_MS = 500;
const REFRESH_MS = 60_000;

export interface ModelPrice {
  /** nano-USD per token. */
  inputNano: number;
  outputNano: number;
}

/**
 * Billing's price book as `auto` needs it to estimate cost: today's price per catalog model, loaded at boot, on
 * every price-change broadcast and once a minute. Planning reads it from memory only. A model without a price is
 * never chosen by `auto` (billing would refuse it anyway).
 */
@Injectable()
export class PriceCache implements OnApplicationBootstrap, OnModuleDestroy {
  private prices = new Map<string, ModelPrice>();
  private timer: NodeJS.Timeout | null = null;

  constructor(
    private readonly bus: NatsBus,
    private readonly table: RoutingTable,
  ) {}

  onApplicationBootstrap(): void {
    this.bus.on(Subjects.billingPricesChanged, (ev) => void this.load(ev.model));
  }

  /** Called once the routing table is loaded: prices now, then kept fresh. */
  async start(): Promise<void> {
    const complete = await this.loadAll();
    void this.schedule(complete ? REFRESH_MS : RETRY_MS);
  }

  onModuleDestroy(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }

  get(model: string): ModelPrice | null {
    return this.prices.get(model) ?? null;
  }

  /** Loads every catalog model's price; true when billing answered for all of them (an empty catalog is not loaded yet). */
  async loadAll(): Promise<boolean> {
    const models = [...this.table.current.catalog.keys()];
    const results = await Promise.all(models.map((m) => this.load(m)));
    return models.length > 0 && results.every(Boolean);
  }

  private async schedule(ms: number): Promise<void> {
    this.timer = setTimeout(async () => {
      const complete = await this.loadAll();
      if (this.timer) void this.schedule(complete ? REFRESH_MS : RETRY_MS);
    }, ms);
    this.timer.unref();
  }

  /** One model's price; false when billing could not be asked (a model it has no price for is an answer). */
  private async load(model: string): Promise<boolean> {
    try {
      const p = await this.bus.request(Subjects.billingPriceGet, { model }, { timeoutMs: 2_000 });
      // USD per 1M tokens × 1e9 nano ÷ 1e6 tokens = USD × 1000 nano per token.
      const next = new Map(this.prices).set(model, { inputNano: Number(p.input_usd_per_mtok) * 1_000, outputNano: Number(p.output_usd_per_mtok) * 1_000 });
      this.prices = next;
      return true;
    } catch (err) {
      if (err instanceof TfError && err.status < 500) {
        const next = new Map(this.prices);
        next.delete(model);
        this.prices = next;
        return true;
      }
      return false;
    }
  }
}
