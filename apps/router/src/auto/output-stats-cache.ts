import { Inject, Injectable, type OnModuleDestroy } from '@nestjs/common';
import { type OutputStatsRow, Subjects } from '@tokenflow/contracts';
import { NatsBus } from '@tokenflow/messaging';
import { ROUTER_CONFIG, type RouterConfig } from '../config';

/** While billing does not answer (it may boot after us), it is asked again this often. */
const RETRY_MS = 1_000;

export interface ObservedOutput {
  n: number;
  avgCompletionTokens: number;
}

/**
 * How long each model's answers really are per task category (billing's rollup of the ledger, reasoning tokens
 * included), as `auto` needs it to expect a request's cost: loaded once the routing table is, then refreshed every
 * `AUTO_OUTPUT_STATS_REFRESH_MS`. Planning reads it from memory only. Until billing answered, nothing is observed
 * and `auto` falls back to the category priors.
 */
@Injectable()
export class OutputStatsCache implements OnModuleDestroy {
  private stats = new Map<string, ObservedOutput>();
  private timer: NodeJS.Timeout | null = null;

  constructor(
    private readonly bus: NatsBus,
    @Inject(ROUTER_CONFIG) private readonly config: Pick<RouterConfig, 'AUTO_OUTPUT_MIN_SAMPLES' | 'AUTO_OUTPUT_STATS_REFRESH_MS'>,
  ) {}

  async start(): Promise<void> {
    const loaded = await this.load();
    this.schedule(loaded ? this.config.AUTO_OUTPUT_STATS_REFRESH_MS : RETRY_MS);
  }

  onModuleDestroy(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }

  /** The average `auto` may expect of `model` in `category`: null below `AUTO_OUTPUT_MIN_SAMPLES` requests (too few to trust). */
  expected(model: string, category: string): number | null {
    const s = this.stats.get(keyOf(model, category));
    return s && s.n >= this.config.AUTO_OUTPUT_MIN_SAMPLES ? s.avgCompletionTokens : null;
  }

  /** Every model's observation in one category, however few (the admin view). */
  inCategory(category: string): Record<string, { n: number; avg_completion_tokens: number }> {
    const out: Record<string, { n: number; avg_completion_tokens: number }> = {};
    for (const [key, s] of this.stats) {
      const [model, cat] = key.split('\u0000');
      if (cat === category) out[model] = { n: s.n, avg_completion_tokens: s.avgCompletionTokens };
    }
    return out;
  }

  /** Replaces the observations with billing's answer; false when billing could not be asked. */
  async load(): Promise<boolean> {
    try {
      const reply = await this.bus.request(Subjects.billingOutputStats, {}, { timeoutMs: 2_000 });
      this.stats = indexed(reply.rows);
      return true;
    } catch {
      return false;
    }
  }

  private schedule(ms: number): void {
    this.timer = setTimeout(async () => {
      const loaded = await this.load();
      if (this.timer) this.schedule(loaded ? this.config.AUTO_OUTPUT_STATS_REFRESH_MS : RETRY_MS);
    }, ms);
    this.timer.unref();
  }
}

/** Map keys: NUL never appears in model ids or category names. */
const keyOf = (model: string, category: string) => `${model}\u0000${category}`;

function indexed(rows: OutputStatsRow[]): Map<string, ObservedOutput> {
  const m = new Map<string, ObservedOutput>();
  for (const r of rows) if (r.n > 0 && Number.isFinite(r.avg_completion_tokens)) m.set(keyOf(r.model, r.category), { n: r.n, avgCompletionTokens: r.avg_completion_tokens });
  return m;
}
