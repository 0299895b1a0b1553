import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The request log (decision 0020): one row per finished `/v1` request, answered or refused, keyed by its request id
 * (events arrive at least once: inserts are ON CONFLICT DO NOTHING). Read newest first by `(at, id)`, alone or
 * within one account, key, model (requested or served) or error code, so each filter has an index ending in the
 * cursor's columns; retention deletes by `at`. Content (request and answer text, capped by ingress) only for keys
 * with `log_content`, off for every existing key.
 */
export class RequestLog1765500000000 implements MigrationInterface {
  name = 'RequestLog1765500000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE billing.api_keys ADD COLUMN log_content boolean NOT NULL DEFAULT false`);
    await q.query(`
      CREATE TABLE billing.request_log (
        id text PRIMARY KEY,
        at timestamptz NOT NULL,
        account_id uuid,
        key_id uuid,
        method text NOT NULL,
        path text NOT NULL,
        endpoint text,
        requested_model text,
        served_model text,
        provider text,
        channel_id text,
        route text,
        category text,
        attempts int NOT NULL,
        stream boolean NOT NULL,
        status int NOT NULL,
        error_code text,
        latency_ms double precision NOT NULL,
        ttft_ms double precision,
        input_tokens int,
        output_tokens int,
        reasoning_tokens int,
        cached_tokens int,
        cost_nano bigint,
        trace_id text,
        content_request text,
        content_response text,
        content_truncated boolean,
        logged_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE INDEX request_log_at ON billing.request_log (at DESC, id DESC)`);
    await q.query(`CREATE INDEX request_log_account ON billing.request_log (account_id, at DESC, id DESC)`);
    await q.query(`CREATE INDEX request_log_key ON billing.request_log (key_id, at DESC, id DESC)`);
    await q.query(`CREATE INDEX request_log_requested_model ON billing.request_log (requested_model, at DESC, id DESC)`);
    await q.query(`CREATE INDEX request_log_served_model ON billing.request_log (served_model, at DESC, id DESC)`);
    await q.query(`CREATE INDEX request_log_error ON billing.request_log (error_code, at DESC, id DESC) WHERE error_code IS NOT NULL`);
    await q.query(`CREATE INDEX request_log_status ON billing.request_log (status, at DESC, id DESC)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE billing.request_log`);
    await q.query(`ALTER TABLE billing.api_keys DROP COLUMN log_content`);
  }
}
