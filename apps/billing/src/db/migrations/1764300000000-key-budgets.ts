import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Per-key spending caps (per UTC day, UTC month or lifetime) and key expiry. */
export class KeyBudgets1764300000000 implements MigrationInterface {
  name = 'KeyBudgets1764300000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      ALTER TABLE billing.api_keys
        ADD COLUMN budget_nano bigint CHECK (budget_nano IS NULL OR budget_nano > 0),
        ADD COLUMN budget_period text CHECK (budget_period IS NULL OR budget_period IN ('daily', 'monthly', 'total')),
        ADD COLUMN expires_at timestamptz,
        ADD CONSTRAINT api_keys_budget_pair_check CHECK ((budget_nano IS NULL) = (budget_period IS NULL))`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE billing.api_keys DROP CONSTRAINT api_keys_budget_pair_check, DROP COLUMN budget_nano, DROP COLUMN budget_period, DROP COLUMN expires_at`);
  }
}
