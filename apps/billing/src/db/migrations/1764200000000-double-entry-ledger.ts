import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Double entry: every ledger entry names the account it debits and the one it credits (customers as
 * `account:<id>`, the house as `system:revenue` / `system:funding`), and `billing.postings` shows each entry as its
 * two postings, which sum to zero over the whole ledger. `amount_nano` stays the signed effect on the customer.
 */
export class DoubleEntryLedger1764200000000 implements MigrationInterface {
  name = 'DoubleEntryLedger1764200000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE billing.ledger_entries ADD COLUMN debit_account text, ADD COLUMN credit_account text, ADD COLUMN note text`);
    await q.query(`ALTER TABLE billing.ledger_entries DISABLE TRIGGER ledger_no_update_delete`);
    await q.query(`
      UPDATE billing.ledger_entries SET
        debit_account = CASE WHEN amount_nano < 0 THEN 'account:' || account_id ELSE 'system:funding' END,
        credit_account = CASE WHEN amount_nano < 0 THEN 'system:revenue' ELSE 'account:' || account_id END`);
    await q.query(`ALTER TABLE billing.ledger_entries ENABLE TRIGGER ledger_no_update_delete`);
    await q.query(`ALTER TABLE billing.ledger_entries ALTER COLUMN debit_account SET NOT NULL, ALTER COLUMN credit_account SET NOT NULL`);
    await q.query(`ALTER TABLE billing.ledger_entries DROP CONSTRAINT ledger_entries_kind_check`);
    await q.query(`ALTER TABLE billing.ledger_entries ADD CONSTRAINT ledger_entries_kind_check CHECK (kind IN ('top_up', 'usage', 'refund', 'adjustment'))`);
    await q.query(`ALTER TABLE billing.ledger_entries ADD CONSTRAINT ledger_entries_sides_check CHECK (debit_account <> credit_account)`);
    await q.query(`
      CREATE VIEW billing.postings AS
        SELECT id AS entry_id, debit_account AS account, -abs(amount_nano) AS amount_nano, kind, created_at FROM billing.ledger_entries
        UNION ALL
        SELECT id, credit_account, abs(amount_nano), kind, created_at FROM billing.ledger_entries`);
    await q.query(`CREATE INDEX ledger_request_idx ON billing.ledger_entries (request_id)`);
    await q.query(`CREATE INDEX ledger_key_time_idx ON billing.ledger_entries (key_id, created_at)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP VIEW billing.postings`);
    await q.query(`DROP INDEX billing.ledger_request_idx, billing.ledger_key_time_idx`);
    await q.query(`ALTER TABLE billing.ledger_entries DROP CONSTRAINT ledger_entries_sides_check, DROP CONSTRAINT ledger_entries_kind_check`);
    await q.query(`ALTER TABLE billing.ledger_entries ADD CONSTRAINT ledger_entries_kind_check CHECK (kind IN ('top_up', 'usage'))`);
    await q.query(`ALTER TABLE billing.ledger_entries DROP COLUMN debit_account, DROP COLUMN credit_account, DROP COLUMN note`);
  }
}
