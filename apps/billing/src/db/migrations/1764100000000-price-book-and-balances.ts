import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Versioned price book (a price applies from `effective_from` until the next one), and per-account credit limit
 * and a version counter that orders the balance snapshots pushed to the Redis cache.
 */
export class PriceBookAndBalances1764100000000 implements MigrationInterface {
  name = 'PriceBookAndBalances1764100000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE billing.prices ADD COLUMN effective_from timestamptz NOT NULL DEFAULT 'epoch'`);
    await q.query(`ALTER TABLE billing.prices DROP CONSTRAINT prices_pkey`);
    await q.query(`ALTER TABLE billing.prices ADD PRIMARY KEY (model, effective_from)`);
    await q.query(`ALTER TABLE billing.accounts ADD COLUMN credit_limit_nano bigint NOT NULL DEFAULT 0 CHECK (credit_limit_nano >= 0)`);
    await q.query(`ALTER TABLE billing.accounts ADD COLUMN version bigint NOT NULL DEFAULT 1`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE billing.accounts DROP COLUMN version, DROP COLUMN credit_limit_nano`);
    await q.query(`DELETE FROM billing.prices p WHERE effective_from <> (SELECT max(effective_from) FROM billing.prices WHERE model = p.model)`);
    await q.query(`ALTER TABLE billing.prices DROP CONSTRAINT prices_pkey`);
    await q.query(`ALTER TABLE billing.prices DROP COLUMN effective_from`);
    await q.query(`ALTER TABLE billing.prices ADD PRIMARY KEY (model)`);
  }
}
