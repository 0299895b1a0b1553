import type { MigrationInterface, QueryRunner } from 'typeorm';

const COLUMNS = [
  'priority_input_nano_per_token',
  'priority_output_nano_per_token',
  'priority_cached_input_nano_per_token',
  'cache_write_nano_per_token',
  'cache_write_1h_nano_per_token',
  'audio_input_nano_per_token',
  'audio_output_nano_per_token',
];

/**
 * Prices beyond input and output, each optional per version: `service_tier: "priority"` (input and output as a
 * pair, cached input optional), cache writes (5-minute and 1-hour) where the provider charges a premium, and audio
 * tokens in and out. A request that needs a price its model lacks is refused (priority, 1-hour writes when writes
 * are charged, audio), never billed at a guess. Seeds Anthropic's documented write premiums for claude-sonnet:
 * 1.25× the input price for 5 minutes, 2× for an hour.
 */
export class PriceTerms1765400000000 implements MigrationInterface {
  name = 'PriceTerms1765400000000';

  async up(q: QueryRunner): Promise<void> {
    for (const c of COLUMNS) await q.query(`ALTER TABLE billing.prices ADD COLUMN ${c} bigint CHECK (${c} IS NULL OR ${c} >= 0)`);
    await q.query(
      `ALTER TABLE billing.prices ADD CONSTRAINT prices_priority_pair CHECK ((priority_input_nano_per_token IS NULL) = (priority_output_nano_per_token IS NULL))`,
    );
    // Rounded up: a write is never billed below the provider's price.
    await q.query(`
      UPDATE billing.prices
         SET cache_write_nano_per_token = (input_nano_per_token * 5 + 3) / 4, cache_write_1h_nano_per_token = input_nano_per_token * 2
       WHERE model = 'claude-sonnet'`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE billing.prices DROP CONSTRAINT prices_priority_pair`);
    for (const c of COLUMNS) await q.query(`ALTER TABLE billing.prices DROP COLUMN ${c}`);
  }
}
