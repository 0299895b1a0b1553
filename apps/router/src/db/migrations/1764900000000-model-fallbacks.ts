import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Each catalog model's fallback chain: where a request goes when no channel of the model can serve it. Seeded for
 * the models of one price class only — a fallback never silently moves a caller to a model several times dearer;
 * an operator sets those chains (`PATCH /admin/v1/models/{id}`), and keys and requests may carry their own.
 */
export class ModelFallbacks1764900000000 implements MigrationInterface {
  name = 'ModelFallbacks1764900000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE routing.models ADD COLUMN fallbacks text[] NOT NULL DEFAULT '{}'`);
    await q.query(`
      UPDATE routing.models SET fallbacks = CASE id
        WHEN 'deepseek-v3' THEN ARRAY['qwen-max', 'glm-4-plus']
        WHEN 'qwen-max' THEN ARRAY['deepseek-v3', 'glm-4-plus']
        WHEN 'glm-4-plus' THEN ARRAY['deepseek-v3', 'qwen-max']
        WHEN 'kimi-k2' THEN ARRAY['deepseek-v3', 'qwen-max']
        ELSE fallbacks END`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE routing.models DROP COLUMN fallbacks`);
  }
}
