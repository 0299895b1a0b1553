import { Inject, Injectable } from '@nestjs/common';
import { DurableConsumers, type LedgerVerifyReply, Streams, Subjects } from '@tokenflow/contracts';
import { NatsBus } from '@tokenflow/messaging';
import { DataSource } from 'typeorm';
import { BILLING_CONFIG, type BillingConfig } from '../config';
import { SettlementLagService } from './settlement-lag.service';

/** How long past its lifetime (and the lost-hold grace) an open ledger hold may be before it counts as stale. */
const STALE_HOLD_MARGIN_MS = 5 * 60_000;

/**
 * The ledger's invariants, checked against the live data: every balance equals the sum of its movements, the
 * postings of the whole ledger sum to zero, every usage event still retained in JetStream is in the ledger
 * exactly once, each account's escrow equals its open holds, and no hold outlives its lifetime.
 */
@Injectable()
export class LedgerVerifyService {
  constructor(
    private readonly db: DataSource,
    private readonly bus: NatsBus,
    private readonly lag: SettlementLagService,
    @Inject(BILLING_CONFIG) private readonly config: BillingConfig,
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
    const escrow = await this.escrow();
    return {
      ok: mismatches.length === 0 && total === '0' && missing.length === 0 && escrow.mismatches.length === 0 && escrow.stale.length === 0,
      accounts_checked: n,
      balance_mismatches: mismatches,
      postings_sum_nano: total,
      usage_events_checked: eventIds.length,
      usage_events_missing: missing.slice(0, 100),
      open_holds: escrow.open,
      open_holds_nano: escrow.openNano,
      escrow_mismatches: escrow.mismatches,
      stale_holds: escrow.stale,
      settlement: await this.lag.lag(),
    };
  }

  private async escrow() {
    // Both sides come from the same transactions (a hold entry adds its open_holds row, a release removes it).
    const mismatches: { account_id: string; escrow_nano: string; open_holds_nano: string }[] = await this.db.query(`
      WITH e AS (
        SELECT substr(account, 8)::uuid AS account_id, sum(amount_nano) AS escrow FROM billing.postings
        WHERE account LIKE 'escrow:%' GROUP BY 1
      ), o AS (SELECT account_id, sum(amount_nano) AS open FROM billing.open_holds GROUP BY 1)
      SELECT coalesce(e.account_id, o.account_id) AS account_id, coalesce(e.escrow, 0)::text AS escrow_nano, coalesce(o.open, 0)::text AS open_holds_nano
      FROM e FULL JOIN o ON o.account_id = e.account_id
      WHERE coalesce(e.escrow, 0) <> coalesce(o.open, 0) OR coalesce(e.escrow, 0) < 0`);
    const [{ n, total }] = await this.db.query(`SELECT count(*)::int AS n, coalesce(sum(amount_nano), 0)::text AS total FROM billing.open_holds`);
    const cutoff = new Date(Date.now() - this.config.HOLD_TTL_MS - this.config.HOLD_LOST_GRACE_MS - STALE_HOLD_MARGIN_MS);
    const stale: { request_id: string }[] = await this.db.query(
      `SELECT request_id FROM billing.open_holds WHERE created_at < $1 ORDER BY created_at LIMIT 100`,
      [cutoff],
    );
    return { open: n as number, openNano: total as string, mismatches, stale: stale.map((r) => r.request_id) };
  }

  /** Usage events settlement has acknowledged (later ones may still be in flight and are not judged). */
  private async retainedUsageEventIds(): Promise<string[]> {
    const floor = await this.bus.durable.ackFloor(DurableConsumers.billingSettlement);
    const ids = new Set<string>();
    for (const e of await this.bus.durable.readAll(Streams.usage, Subjects.usageRecorded, floor)) ids.add(e.payload.eventId);
    return [...ids];
  }
}
