import { Inject, Injectable } from '@nestjs/common';
import type { OutputStatsReply } from '@tokenflow/contracts';
import { BILLING_CONFIG, type BillingConfig } from '../config';
import { OutputUsageRepository } from './output-usage.repository';

/** Ledger ids one rollup transaction covers (entries of every kind): a bounded read and a short transaction. */
export const FOLD_BATCH = 20_000;
/** Batches per run: a backlog (billing was down, or the job was) is caught up over a few runs, never in one huge one. */
const MAX_BATCHES_PER_RUN = 50;
/** Entries younger than this wait for the next run, so a settlement still committing is not skipped (see `fold`). */
export const SETTLE_LAG_MS = 2_000;

/**
 * How long answers really are, per model and `auto` task category, learnt from the ledger: a background job folds
 * settled usage into a daily rollup, and `tf.billing.output-stats.v1` averages the rollup's last days — so neither
 * the job nor a question ever scans the ledger as a whole.
 */
@Injectable()
export class OutputStatsService {
  constructor(
    private readonly repo: OutputUsageRepository,
    @Inject(BILLING_CONFIG) private readonly config: Pick<BillingConfig, 'OUTPUT_STATS_WINDOW_DAYS'>,
  ) {}

  /** Folds what settled since the last run (up to a bound); returns how many ledger entries it moved past. */
  async fold(): Promise<number> {
    let scanned = 0;
    for (let i = 0; i < MAX_BATCHES_PER_RUN; i++) {
      const r = await this.repo.fold(FOLD_BATCH, SETTLE_LAG_MS);
      scanned += r.scanned;
      if (r.caughtUp) break;
    }
    return scanned;
  }

  async stats(): Promise<OutputStatsReply> {
    const days = this.config.OUTPUT_STATS_WINDOW_DAYS;
    const rows = await this.repo.window(days);
    return {
      window_days: days,
      rows: rows.map((r) => ({ model: r.model, category: r.category, n: r.n, avg_completion_tokens: Math.round(r.completionTokens / r.n) })),
    };
  }
}
