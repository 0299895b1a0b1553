import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * What `auto` decides with: each catalog model's tier, its strength per task category (0–1) and how many output
 * tokens it spends per answered token (reasoning models think first); and per category, the expected gain of a
 * premium model and the expected answer length, blended with the classifier (its data has no chat, writing or code).
 * How much the classifier counts against the prior is per category too: it was trained on knowledge questions
 * (MMLU) and math word problems (GSM8K) and knows nothing of chit-chat or code. All seeded, all editable through the
 * admin API.
 */
export class AutoRouting1765000000000 implements MigrationInterface {
  name = 'AutoRouting1765000000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE routing.models ADD COLUMN tier text NOT NULL DEFAULT 'standard' CHECK (tier IN ('economy', 'standard', 'premium'))`);
    await q.query(`ALTER TABLE routing.models ADD COLUMN strengths jsonb NOT NULL DEFAULT '{}'`);
    await q.query(`ALTER TABLE routing.models ADD COLUMN output_factor real NOT NULL DEFAULT 1 CHECK (output_factor > 0)`);
    const seed: [string, string, number, Record<string, number>][] = [
      ['deepseek-v3', 'economy', 1, { chat: 0.85, writing: 0.8, code: 0.84, math: 0.8, reasoning: 0.74, knowledge: 0.8, extraction: 0.85, tools: 0.8 }],
      ['glm-4-plus', 'economy', 1, { chat: 0.82, writing: 0.78, code: 0.74, math: 0.72, reasoning: 0.7, knowledge: 0.76, extraction: 0.8, tools: 0.76 }],
      ['qwen-max', 'economy', 1, { chat: 0.84, writing: 0.8, code: 0.8, math: 0.78, reasoning: 0.74, knowledge: 0.8, extraction: 0.84, tools: 0.8 }],
      ['kimi-k2', 'standard', 1, { chat: 0.86, writing: 0.84, code: 0.86, math: 0.8, reasoning: 0.78, knowledge: 0.82, extraction: 0.86, tools: 0.88 }],
      ['deepseek-r1', 'premium', 4, { chat: 0.78, writing: 0.78, code: 0.9, math: 0.96, reasoning: 0.95, knowledge: 0.84, extraction: 0.8, tools: 0.6 }],
      ['gpt-4o', 'premium', 1, { chat: 0.92, writing: 0.9, code: 0.9, math: 0.86, reasoning: 0.88, knowledge: 0.92, extraction: 0.92, tools: 0.93 }],
      ['claude-sonnet', 'premium', 1.2, { chat: 0.93, writing: 0.95, code: 0.96, math: 0.88, reasoning: 0.92, knowledge: 0.9, extraction: 0.92, tools: 0.94 }],
    ];
    for (const [id, tier, factor, strengths] of seed) {
      await q.query(`UPDATE routing.models SET tier = $2, output_factor = $3, strengths = $4 WHERE id = $1`, [id, tier, factor, JSON.stringify(strengths)]);
    }
    await q.query(`
      CREATE TABLE routing.category_priors (
        category text PRIMARY KEY,
        gain real NOT NULL CHECK (gain BETWEEN -1 AND 1),
        classifier_weight real NOT NULL CHECK (classifier_weight BETWEEN 0 AND 1),
        output_tokens int NOT NULL CHECK (output_tokens > 0),
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`
      INSERT INTO routing.category_priors (category, gain, classifier_weight, output_tokens) VALUES
        ('chat', -0.1, 0.1, 150), ('writing', 0.0, 0.2, 600), ('code', 0.2, 0.2, 800), ('math', 0.15, 0.8, 400),
        ('reasoning', 0.3, 0.5, 600), ('knowledge', 0.05, 0.8, 200), ('extraction', -0.05, 0.2, 300), ('tools', 0.1, 0.2, 200)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE routing.category_priors`);
    await q.query(`ALTER TABLE routing.models DROP COLUMN output_factor, DROP COLUMN strengths, DROP COLUMN tier`);
  }
}
