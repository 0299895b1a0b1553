import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * A key's own fallback chain: the models to try, in order, when the requested one cannot serve. NULL (every existing
 * key) keeps the catalog's chain, so nothing changes for a key until an operator sets one; `{}` means no fallback.
 */
export class KeyFallbacks1764900000000 implements MigrationInterface {
  name = 'KeyFallbacks1764900000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE billing.api_keys ADD COLUMN fallbacks text[]`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE billing.api_keys DROP COLUMN fallbacks`);
  }
}
