import { Injectable } from '@nestjs/common';
import { type LedgerVerifyReply, Subjects, USAGE_STREAM } from '@tokenflow/contracts';
import { NatsBus } from '@tokenflow/messaging';
import { DataSource } from 'typeorm';
import { SETTLEMENT_DURABLE } from './settlement.service';

/**
 * The ledger's invariants, checked against the live data: every balance equals the sum of its movements, the
 * postings of the whole ledger sum to zero, and every usage event still retained in JetStream is in the ledger
 * exactly once.
 */
@Injectable()
export class LedgerVerifyService {
  constructor(
    private readonly db: DataSource,
    private readonly bus: NatsBus,
  ) {}

  async verify(): Promise<LedgerVerifyReply> {
    const mismatches: { account_id: string; balance_nano: string; ledger_nano: string }[] = await this.db.query(`
      SELECT a.id AS account_id, a.balance_nano::text AS balance_nano, coalesce(l.sum, 0)::text AS ledger_nano
      FROM billing.accounts a
      LEFT JOIN (SELECT account_id, sum(amount_nano) AS sum FROM billing.ledger_entries GROUP BY account_id) l ON l.account_id = a.id
      WHERE a.balance_nano <> coalesce(l.sum, 0)`);
    const [{ n }] = await this.db.query(`SELECT count(*)::int AS n FROM billing.accounts`);
    const [{ total }] = await this.db.query(`SELECT coalesce(sum(amount_nano), 0)::text AS total FROM billing.postings`);
    const eventIds = await this.retainedUsageEventIds();
    const missing: string[] = [];
    for (let i = 0; i < eventIds.length; i += 5_000) {
      const chunk = eventIds.slice(i, i + 5_000);
      const rows: { key: string; c: number }[] = await this.db.query(
        `SELECT k.key, count(e.id)::int AS c FROM unnest($1::text[]) AS k(key)
         LEFT JOIN billing.ledger_entries e ON e.idempotency_key = 'usage:' || k.key GROUP BY k.key`,
        [chunk],
      );
      for (const r of rows) if (r.c !== 1) missing.push(r.key);
    }
    return {
      ok: mismatches.length === 0 && total === '0' && missing.length === 0,
      accounts_checked: n,
      balance_mismatches: mismatches,
      postings_sum_nano: total,
      usage_events_checked: eventIds.length,
      usage_events_missing: missing.slice(0, 100),
    };
  }

  /** Usage events settlement has acknowledged (later ones may still be in flight and are not judged). */
  private async retainedUsageEventIds(): Promise<string[]> {
    const floor = await this.bus.durable.ackFloor(USAGE_STREAM, SETTLEMENT_DURABLE);
    const ids = new Set<string>();
    for (const e of await this.bus.durable.readAll(USAGE_STREAM, Subjects.usageRecorded, floor)) ids.add(e.payload.eventId);
    return [...ids];
  }
}
