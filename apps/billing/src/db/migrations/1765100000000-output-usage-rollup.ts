import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * What `auto` needs to expect each model's answer length per task category: usage entries keep the request's
 * category and the attempt's outcome (NULL for every entry before this, which the rollup then never counts), and a
 * daily rollup of successful answers with the ledger id it has folded up to. Nullable columns without a default are
 * a catalog-only change, so this does not rewrite a large ledger.
 */
export class OutputUsageRollup1765100000000 implements MigrationInterface {
  name = 'OutputUsageRollup1765100000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE billing.ledger_entries ADD COLUMN category text, ADD COLUMN outcome text`);
    await q.query(`
      CREATE TABLE billing.output_usage_daily (
        day date NOT NULL,
        model text NOT NULL,
        category text NOT NULL,
        n bigint NOT NULL,
        completion_tokens_sum bigint NOT NULL,
        PRIMARY KEY (day, model, category)
      )`);
    await q.query(`
      CREATE TABLE billing.rollup_watermarks (
        name text PRIMARY KEY,
        last_id bigint NOT NULL,
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    // Start past the existing ledger: its entries carry no category, so there is nothing in them to fold.
    await q.query(`INSERT INTO billing.rollup_watermarks (name, last_id) SELECT 'output_usage_daily', coalesce(max(id), 0) FROM billing.ledger_entries`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE billing.rollup_watermarks, billing.output_usage_daily`);
    await q.query(`ALTER TABLE billing.ledger_entries DROP COLUMN category, DROP COLUMN outcome`);
  }
}
