import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Per upstream key and model limits of a channel (`{"rpm", "tpm"}`): the provider's quota for each key. */
export class ChannelKeyLimits1764600000000 implements MigrationInterface {
  name = 'ChannelKeyLimits1764600000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE routing.channels ADD COLUMN key_limits jsonb CHECK (key_limits IS NULL OR jsonb_typeof(key_limits) = 'object')`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE routing.channels DROP COLUMN key_limits`);
  }
}
