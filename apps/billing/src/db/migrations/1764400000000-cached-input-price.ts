import type { MigrationInterface, QueryRunner } from 'typeorm';

/** An optional cheaper price for prompt tokens the provider served from its cache, and the one used per entry. */
export class CachedInputPrice1764400000000 implements MigrationInterface {
  name = 'CachedInputPrice1764400000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(
      `ALTER TABLE billing.prices ADD COLUMN cached_input_nano_per_token bigint CHECK (cached_input_nano_per_token IS NULL OR cached_input_nano_per_token >= 0)`,
    );
    await q.query(`ALTER TABLE billing.ledger_entries ADD COLUMN cached_input_price_nano bigint`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE billing.ledger_entries DROP COLUMN cached_input_price_nano`);
    await q.query(`ALTER TABLE billing.prices DROP COLUMN cached_input_nano_per_token`);
  }
}
