import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Usage-stream events settlement could not apply for a reason of their own (a constraint, a malformed payload), kept
 * whole for automatic and manual replay instead of being dropped. One row per event (subject + msgId); `event` is
 * the payload's JSON text exactly as delivered, so even one jsonb would refuse is kept.
 */
export class ParkedUsage1765300000000 implements MigrationInterface {
  name = 'ParkedUsage1765300000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE billing.parked_usage (
        id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        subject text NOT NULL,
        event_key text NOT NULL,
        event text NOT NULL,
        stream_seq bigint,
        stored_at timestamptz,
        reason text NOT NULL,
        attempts int NOT NULL,
        first_failed_at timestamptz NOT NULL DEFAULT now(),
        last_failed_at timestamptz NOT NULL DEFAULT now(),
        replayed_at timestamptz,
        UNIQUE (subject, event_key)
      )`);
    await q.query(`CREATE INDEX parked_usage_open ON billing.parked_usage (first_failed_at) WHERE replayed_at IS NULL`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE billing.parked_usage`);
  }
}
