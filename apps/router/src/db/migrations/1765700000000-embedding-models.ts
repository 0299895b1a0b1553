import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Embedding models in the catalog (issue 15): each model has a type, `chat` (every model so far) or `embedding`, so
 * `/v1/models` can say which is which and `auto` never picks an embedding model to answer a chat. Seeds the
 * providers' embedding models, with each one's input limit per text as its context window (OpenAI 8,191 tokens,
 * DashScope text-embedding-v3 8,192, Zhipu embedding-3 3,072 — the providers' API references); they generate nothing,
 * so no output limit. A row an operator already added under one of these ids keeps its values and becomes an
 * embedding model.
 */
export class EmbeddingModels1765700000000 implements MigrationInterface {
  name = 'EmbeddingModels1765700000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE routing.models ADD COLUMN type text NOT NULL DEFAULT 'chat' CHECK (type IN ('chat', 'embedding'))`);
    await q.query(`
      INSERT INTO routing.models (id, owned_by, context_window, max_output_tokens, inputs, type) VALUES
        ('text-embedding-3-small', 'openai', 8191, NULL, ARRAY[]::text[], 'embedding'),
        ('text-embedding-3-large', 'openai', 8191, NULL, ARRAY[]::text[], 'embedding'),
        ('text-embedding-v3', 'qwen', 8192, NULL, ARRAY[]::text[], 'embedding'),
        ('embedding-3', 'zhipu', 3072, NULL, ARRAY[]::text[], 'embedding')
      ON CONFLICT (id) DO UPDATE SET type = 'embedding'`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DELETE FROM routing.models WHERE id IN ('text-embedding-3-small', 'text-embedding-3-large', 'text-embedding-v3', 'embedding-3')`);
    await q.query(`ALTER TABLE routing.models DROP COLUMN type`);
  }
}
