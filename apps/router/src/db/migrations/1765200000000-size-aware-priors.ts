import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * A category's prior can grow with the size of the task: a one-line code question is well served by a cheap model,
 * a refactor over a few thousand tokens of code is not. `gain_per_doubling` is added to the blended gain for each
 * doubling of the prompt past 256 tokens (at most four: from 4,096 tokens on, size says nothing more). Seeded for
 * code only; the prompt's size is not evidence for a knowledge question, whose length anyone can pad.
 */
export class SizeAwarePriors1765200000000 implements MigrationInterface {
  name = 'SizeAwarePriors1765200000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE routing.category_priors ADD COLUMN gain_per_doubling real NOT NULL DEFAULT 0 CHECK (gain_per_doubling BETWEEN 0 AND 0.25)`);
    await q.query(`UPDATE routing.category_priors SET gain = 0, gain_per_doubling = 0.06 WHERE category = 'code'`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`UPDATE routing.category_priors SET gain = 0.2 WHERE category = 'code'`);
    await q.query(`ALTER TABLE routing.category_priors DROP COLUMN gain_per_doubling`);
  }
}
