import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Prices of the catalog's embedding models (router migration 1765700000000), USD per 1M input tokens; embeddings
 * generate nothing, so output is 0. OpenAI: text-embedding-3-small $0.02, text-embedding-3-large $0.13
 * (developers.openai.com model pages). Qwen text-embedding-v3: $0.07 (Alibaba Cloud Model Studio, international
 * price list; CNY 0.0005 per 1K tokens in Beijing). Zhipu embedding-3: CNY 0.5 per 1M tokens (docs.bigmodel.cn),
 * about $0.07. A model already priced (an operator's own price) keeps its price.
 */
export class EmbeddingPrices1765700000000 implements MigrationInterface {
  name = 'EmbeddingPrices1765700000000';

  async up(q: QueryRunner): Promise<void> {
    // USD per 1M tokens ÷ 1e6 × 1e9 = nano-USD per token, exact for each.
    await q.query(`
      INSERT INTO billing.prices (model, input_nano_per_token, output_nano_per_token)
      SELECT v.model, v.input, 0 FROM (VALUES
        ('text-embedding-3-small', 20), ('text-embedding-3-large', 130), ('text-embedding-v3', 70), ('embedding-3', 70)
      ) AS v(model, input)
      WHERE NOT EXISTS (SELECT 1 FROM billing.prices p WHERE p.model = v.model)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DELETE FROM billing.prices WHERE model IN ('text-embedding-3-small', 'text-embedding-3-large', 'text-embedding-v3', 'embedding-3') AND effective_from = 'epoch'`);
  }
}
