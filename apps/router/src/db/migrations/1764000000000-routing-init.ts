import type { MigrationInterface, QueryRunner } from 'typeorm';

/** The model catalog (seeded with the seven launch models) and upstream channels. */
export class RoutingInit1764000000000 implements MigrationInterface {
  name = 'RoutingInit1764000000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE SCHEMA IF NOT EXISTS routing`);
    await q.query(`
      CREATE TABLE routing.models (
        id text PRIMARY KEY,
        owned_by text NOT NULL,
        context_window integer,
        max_output_tokens integer,
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`
      INSERT INTO routing.models (id, owned_by, context_window, max_output_tokens) VALUES
        ('deepseek-v3', 'deepseek', 128000, 8192), ('deepseek-r1', 'deepseek', 128000, 32768),
        ('kimi-k2', 'moonshot', 128000, 16384), ('glm-4-plus', 'zhipu', 128000, 4096),
        ('qwen-max', 'qwen', 32768, 8192), ('gpt-4o', 'openai', 128000, 16384),
        ('claude-sonnet', 'anthropic', 200000, 64000)`);
    await q.query(`
      CREATE TABLE routing.channels (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        name text NOT NULL UNIQUE,
        provider text NOT NULL CHECK (provider IN ('deepseek','moonshot','zhipu','qwen','openai','anthropic','openai-compatible')),
        base_url text NOT NULL,
        api_keys text[] NOT NULL CHECK (cardinality(api_keys) > 0),
        models text[] NOT NULL CHECK (cardinality(models) > 0),
        model_mapping jsonb NOT NULL DEFAULT '{}',
        priority integer NOT NULL DEFAULT 0,
        weight integer NOT NULL DEFAULT 1 CHECK (weight > 0),
        enabled boolean NOT NULL DEFAULT true,
        connect_timeout_ms integer NOT NULL DEFAULT 10000,
        first_byte_timeout_ms integer NOT NULL DEFAULT 60000,
        idle_timeout_ms integer NOT NULL DEFAULT 60000,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE INDEX channels_models_idx ON routing.channels USING gin (models)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP SCHEMA routing CASCADE`);
  }
}
