import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Rate limits on keys and accounts, one JSON document each in the admin API's form
 * (`{"rpm", "tpm", "max_concurrency", "model_limits"}`); the admin API validates it, the limiter enforces it.
 * A key's old `rpm_limit` moves into it.
 */
export class RateLimits1764600000000 implements MigrationInterface {
  name = 'RateLimits1764600000000';

  async up(q: QueryRunner): Promise<void> {
    for (const table of ['api_keys', 'accounts']) {
      await q.query(`ALTER TABLE billing.${table} ADD COLUMN rate_limits jsonb CHECK (rate_limits IS NULL OR jsonb_typeof(rate_limits) = 'object')`);
    }
    await q.query(`
      UPDATE billing.api_keys
      SET rate_limits = jsonb_build_object('rpm', rpm_limit, 'tpm', null, 'max_concurrency', null, 'model_limits', null)
      WHERE rpm_limit IS NOT NULL`);
    await q.query(`ALTER TABLE billing.api_keys DROP COLUMN rpm_limit`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE billing.api_keys ADD COLUMN rpm_limit integer CHECK (rpm_limit IS NULL OR rpm_limit > 0)`);
    await q.query(`UPDATE billing.api_keys SET rpm_limit = (rate_limits->>'rpm')::int WHERE rate_limits IS NOT NULL`);
    for (const table of ['api_keys', 'accounts']) await q.query(`ALTER TABLE billing.${table} DROP COLUMN rate_limits`);
  }
}
