import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';

/** The watermark row of the output-usage rollup (billing.rollup_watermarks). */
const WATERMARK = 'output_usage_daily';

/** One batch of the rollup: how many ledger ids it covered, and whether more may follow at once. */
export interface FoldResult {
  /** Ledger entries (of every kind) the watermark moved past. */
  scanned: number;
  /** The batch was cut short by an entry younger than the settle lag, or the ledger ran out: wait for the next run. */
  caughtUp: boolean;
}

/** A model's answers in one category over the window: how many, and their completion tokens in total. */
export interface OutputUsageRow {
  model: string;
  category: string;
  n: number;
  completionTokens: number;
}

/**
 * The daily rollup of answer lengths (billing.output_usage_daily) and the ledger id it has folded up to. Reading the
 * stats touches only the rollup — models × categories × days rows — never the ledger.
 */
@Injectable()
export class OutputUsageRepository {
  constructor(private readonly db: DataSource) {}

  /**
   * Folds the next ledger entries past the watermark — at most `maxEntries` ids, of every kind — into the daily
   * rollup and moves the watermark, in one transaction: a crash folds nothing twice. The watermark row is locked,
   * so two billing replicas folding at once queue instead of double counting.
   *
   * Only successful usage with a category and completion tokens counts (those include a reasoning model's thinking,
   * which is what makes deepseek-r1 dear). Ids are taken from a sequence when a row is inserted, not when its
   * transaction commits: an id that commits after a larger one was folded is skipped for good. Entries younger than
   * `settleLagMs` are left for the next run, which makes that rare, since settlement's transactions take
   * milliseconds; it is a statistic, and money is never read from here.
   */
  async fold(maxEntries: number, settleLagMs: number): Promise<FoldResult> {
    return this.db.transaction(async (tx) => {
      const [mark]: { last_id: string }[] = await tx.query(`SELECT last_id::text FROM billing.rollup_watermarks WHERE name = $1 FOR UPDATE`, [WATERMARK]);
      if (!mark) throw new Error(`billing.rollup_watermarks has no '${WATERMARK}' row (run the billing migrations)`);
      // The batch ends before its first entry that is too young: everything below that id is folded, nothing above.
      const [range]: { hi: string | null; scanned: number; young: boolean }[] = await tx.query(
        `WITH batch AS (
           SELECT id, created_at > now() - $3 * interval '1 millisecond' AS young
           FROM billing.ledger_entries WHERE id > $1::bigint ORDER BY id LIMIT $2
         ), cut AS (
           SELECT coalesce(min(id) FILTER (WHERE young) - 1, max(id)) AS hi, coalesce(bool_or(young), false) AS young FROM batch
         )
         SELECT cut.hi::text AS hi, cut.young, (SELECT count(*) FROM batch WHERE id <= cut.hi)::int AS scanned FROM cut`,
        [mark.last_id, maxEntries, settleLagMs],
      );
      const hi = range.hi === null ? null : BigInt(range.hi);
      if (hi === null || hi <= BigInt(mark.last_id)) return { scanned: 0, caughtUp: true };
      await tx.query(
        `INSERT INTO billing.output_usage_daily AS d (day, model, category, n, completion_tokens_sum)
         SELECT (created_at AT TIME ZONE 'UTC')::date, model, category, count(*), sum(completion_tokens)
         FROM billing.ledger_entries
         WHERE id > $1::bigint AND id <= $2::bigint
           AND kind = 'usage' AND outcome = 'ok' AND category IS NOT NULL AND model IS NOT NULL AND completion_tokens > 0
         GROUP BY 1, 2, 3
         ON CONFLICT (day, model, category) DO UPDATE
           SET n = d.n + EXCLUDED.n, completion_tokens_sum = d.completion_tokens_sum + EXCLUDED.completion_tokens_sum`,
        [mark.last_id, hi.toString()],
      );
      await tx.query(`UPDATE billing.rollup_watermarks SET last_id = $2::bigint, updated_at = now() WHERE name = $1`, [WATERMARK, hi.toString()]);
      return { scanned: range.scanned, caughtUp: range.young || range.scanned < maxEntries };
    });
  }

  /** Per model and category, the rollup's totals over the last `days` UTC days (today included). */
  async window(days: number): Promise<OutputUsageRow[]> {
    const rows: { model: string; category: string; n: string; total: string }[] = await this.db.query(
      `SELECT model, category, sum(n)::text AS n, sum(completion_tokens_sum)::text AS total
       FROM billing.output_usage_daily
       WHERE day > (now() AT TIME ZONE 'UTC')::date - $1::int
       GROUP BY model, category
       ORDER BY model, category`,
      [days],
    );
    return rows.map((r) => ({ model: r.model, category: r.category, n: Number(r.n), completionTokens: Number(r.total) }));
  }
}
