import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Accounts, hashed API keys, the seed price book and the append-only ledger. */
export class BillingInit1764000000000 implements MigrationInterface {
  name = 'BillingInit1764000000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE SCHEMA IF NOT EXISTS billing`);
    await q.query(`
      CREATE TABLE billing.accounts (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        name text NOT NULL,
        balance_nano bigint NOT NULL DEFAULT 0,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`
      CREATE TABLE billing.api_keys (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        account_id uuid NOT NULL REFERENCES billing.accounts(id),
        key_hash char(64) NOT NULL UNIQUE,
        key_prefix text NOT NULL,
        name text,
        models text[],
        rpm_limit integer CHECK (rpm_limit IS NULL OR rpm_limit > 0),
        revoked_at timestamptz,
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE INDEX api_keys_account_idx ON billing.api_keys (account_id)`);
    await q.query(`
      CREATE TABLE billing.prices (
        model text PRIMARY KEY,
        input_nano_per_token bigint NOT NULL CHECK (input_nano_per_token >= 0),
        output_nano_per_token bigint NOT NULL CHECK (output_nano_per_token >= 0),
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    // Seed price book: USD per 1M tokens ÷ 1e6 × 1e9 = nano-USD per token, exact for every seed price.
    await q.query(`
      INSERT INTO billing.prices (model, input_nano_per_token, output_nano_per_token) VALUES
        ('deepseek-v3', 140, 280), ('deepseek-r1', 550, 2190), ('kimi-k2', 200, 600),
        ('glm-4-plus', 150, 500), ('qwen-max', 160, 640), ('gpt-4o', 2500, 10000),
        ('claude-sonnet', 3000, 15000)`);
    await q.query(`
      CREATE TABLE billing.ledger_entries (
        id bigserial PRIMARY KEY,
        idempotency_key text NOT NULL UNIQUE,
        account_id uuid NOT NULL REFERENCES billing.accounts(id),
        kind text NOT NULL CHECK (kind IN ('top_up', 'usage')),
        amount_nano bigint NOT NULL,
        request_id text,
        key_id uuid,
        model text,
        channel_id text,
        prompt_tokens integer NOT NULL DEFAULT 0,
        completion_tokens integer NOT NULL DEFAULT 0,
        cached_tokens integer NOT NULL DEFAULT 0,
        reasoning_tokens integer NOT NULL DEFAULT 0,
        input_price_nano bigint,
        output_price_nano bigint,
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE INDEX ledger_account_time_idx ON billing.ledger_entries (account_id, created_at)`);
    // Append-only: the ledger is evidence; corrections are new entries, never edits.
    await q.query(`
      CREATE FUNCTION billing.ledger_is_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN RAISE EXCEPTION 'billing.ledger_entries is append-only'; END $$`);
    await q.query(`
      CREATE TRIGGER ledger_no_update_delete BEFORE UPDATE OR DELETE ON billing.ledger_entries
      FOR EACH ROW EXECUTE FUNCTION billing.ledger_is_append_only()`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP SCHEMA billing CASCADE`);
  }
}
