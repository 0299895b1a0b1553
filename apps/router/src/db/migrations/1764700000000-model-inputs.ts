import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * What each catalog model takes besides text (`image`, `audio`, `file`), so a content part it cannot take is the
 * caller's 400 naming the part, before any hold or upstream call. NULL: unknown, every part passes through.
 */
export class ModelInputs1764700000000 implements MigrationInterface {
  name = 'ModelInputs1764700000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE routing.models ADD COLUMN inputs text[] CHECK (inputs <@ ARRAY['image', 'audio', 'file'])`);
    await q.query(`
      UPDATE routing.models SET inputs = CASE id
        WHEN 'gpt-4o' THEN ARRAY['image', 'file']
        WHEN 'claude-sonnet' THEN ARRAY['image', 'file']
        ELSE ARRAY[]::text[] END
      WHERE id IN ('deepseek-v3', 'deepseek-r1', 'kimi-k2', 'glm-4-plus', 'qwen-max', 'gpt-4o', 'claude-sonnet')`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE routing.models DROP COLUMN inputs`);
  }
}
