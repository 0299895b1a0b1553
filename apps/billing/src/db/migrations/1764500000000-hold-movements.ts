import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Holds and releases become ledger movements between a customer's spendable account (`account:<id>`) and its
 * escrow (`escrow:<id>`). Both sides belong to the customer, so they leave `amount_nano` (the signed effect on the
 * customer's balance) at 0; `posting_nano` carries what moved between the two sides, and the postings view uses it.
 * `billing.open_holds` lists hold entries not yet released, so expiry and verification never scan the history.
 */
export class HoldMovements1764500000000 implements MigrationInterface {
  name = 'HoldMovements1764500000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE billing.ledger_entries ADD COLUMN posting_nano bigint`);
    await q.query(`ALTER TABLE billing.ledger_entries DISABLE TRIGGER ledger_no_update_delete`);
    await q.query(`UPDATE billing.ledger_entries SET posting_nano = abs(amount_nano)`);
    await q.query(`ALTER TABLE billing.ledger_entries ENABLE TRIGGER ledger_no_update_delete`);
    await q.query(`ALTER TABLE billing.ledger_entries ALTER COLUMN posting_nano SET NOT NULL, ADD CONSTRAINT ledger_entries_posting_check CHECK (posting_nano >= 0)`);
    await q.query(`ALTER TABLE billing.ledger_entries DROP CONSTRAINT ledger_entries_kind_check`);
    await q.query(
      `ALTER TABLE billing.ledger_entries ADD CONSTRAINT ledger_entries_kind_check CHECK (kind IN ('top_up', 'hold', 'release', 'usage', 'refund', 'adjustment'))`,
    );
    await q.query(`ALTER TABLE billing.ledger_entries ADD CONSTRAINT ledger_entries_escrow_check CHECK (kind NOT IN ('hold', 'release') OR amount_nano = 0)`);
    await q.query(`DROP VIEW billing.postings`);
    await q.query(`
      CREATE VIEW billing.postings AS
        SELECT id AS entry_id, debit_account AS account, -posting_nano AS amount_nano, kind, created_at FROM billing.ledger_entries
        UNION ALL
        SELECT id, credit_account, posting_nano, kind, created_at FROM billing.ledger_entries`);
    await q.query(`
      CREATE TABLE billing.open_holds (
        request_id text PRIMARY KEY,
        account_id uuid NOT NULL,
        key_id uuid,
        amount_nano bigint NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE INDEX open_holds_age_idx ON billing.open_holds (created_at)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE billing.open_holds`);
    await q.query(`DROP VIEW billing.postings`);
    await q.query(`
      CREATE VIEW billing.postings AS
        SELECT id AS entry_id, debit_account AS account, -abs(amount_nano) AS amount_nano, kind, created_at FROM billing.ledger_entries
        UNION ALL
        SELECT id, credit_account, abs(amount_nano), kind, created_at FROM billing.ledger_entries`);
    await q.query(`ALTER TABLE billing.ledger_entries DROP CONSTRAINT ledger_entries_escrow_check, DROP CONSTRAINT ledger_entries_kind_check`);
    await q.query(`ALTER TABLE billing.ledger_entries ADD CONSTRAINT ledger_entries_kind_check CHECK (kind IN ('top_up', 'usage', 'refund', 'adjustment'))`);
    await q.query(`ALTER TABLE billing.ledger_entries DROP CONSTRAINT ledger_entries_posting_check, DROP COLUMN posting_nano`);
  }
}
