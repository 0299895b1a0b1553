import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Stored Responses API responses (decision 0022): one row per response kept with `store: true`, its input items and
 * the Response object as jsonb. Every read is by id within one account (the primary key, then the account checked);
 * `(account_id, created_at, id)` serves account-scoped listings and purges, `created_at` the retention job.
 * `context_bytes` is what the turn adds to a continuation (its input and output items as JSON), so the chain query
 * can stop at the size cap without reading the jsonb of the turns past it. A deleted row is gone for good.
 */
export class StoredResponses1765600000000 implements MigrationInterface {
  name = 'StoredResponses1765600000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE billing.stored_responses (
        id text PRIMARY KEY,
        account_id uuid NOT NULL,
        key_id uuid NOT NULL,
        created_at timestamptz NOT NULL,
        model text NOT NULL,
        previous_response_id text,
        input jsonb NOT NULL,
        response jsonb NOT NULL,
        context_bytes bigint NOT NULL,
        stored_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE INDEX stored_responses_account ON billing.stored_responses (account_id, created_at DESC, id DESC)`);
    await q.query(`CREATE INDEX stored_responses_created ON billing.stored_responses (created_at)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE billing.stored_responses`);
  }
}
