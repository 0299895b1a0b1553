import { Injectable } from '@nestjs/common';
import type { ParkedUsageView } from '@tokenflow/contracts';
import { DataSource } from 'typeorm';

export interface ParkInput {
  subject: string;
  eventKey: string;
  event: string;
  streamSeq: number | null;
  storedAt: Date | null;
  reason: string;
  attempts: number;
}

export interface ParkedRow {
  id: string;
  subject: string;
  event_key: string;
  event: string;
  reason: string;
  attempts: number;
  first_failed_at: Date;
  last_failed_at: Date;
  replayed_at: Date | null;
}

/** `billing.parked_usage`: one row per event settlement parked, kept after its replay (with `replayed_at`). */
@Injectable()
export class ParkedUsageRepository {
  constructor(private readonly db: DataSource) {}

  /** Parks an event, or counts another failure of one parked before (a replayed one is parked again). */
  async park(p: ParkInput): Promise<void> {
    await this.db.query(
      `INSERT INTO billing.parked_usage (subject, event_key, event, stream_seq, stored_at, reason, attempts)
       VALUES ($1, $2, $3, $4, $5, $6, $7)
       ON CONFLICT (subject, event_key) DO UPDATE SET
         reason = excluded.reason, attempts = billing.parked_usage.attempts + excluded.attempts,
         last_failed_at = now(), replayed_at = NULL`,
      [p.subject, p.eventKey, p.event, p.streamSeq, p.storedAt, p.reason, p.attempts],
    );
  }

  /** In id order; `afterId` pages through (a replay walks the whole backlog once, even past rows that fail again). */
  async list(all: boolean, limit: number, afterId = '0'): Promise<ParkedRow[]> {
    return this.db.query(
      `SELECT id::text, subject, event_key, event, reason, attempts, first_failed_at, last_failed_at, replayed_at
       FROM billing.parked_usage WHERE ($1 OR replayed_at IS NULL) AND id > $3 ORDER BY id LIMIT $2`,
      [all, limit, afterId],
    );
  }

  async get(id: string): Promise<ParkedRow | null> {
    const rows: ParkedRow[] = await this.db.query(
      `SELECT id::text, subject, event_key, event, reason, attempts, first_failed_at, last_failed_at, replayed_at
       FROM billing.parked_usage WHERE id = $1`,
      [id],
    );
    return rows[0] ?? null;
  }

  async markReplayed(ids: string[]): Promise<void> {
    if (ids.length === 0) return;
    await this.db.query(`UPDATE billing.parked_usage SET replayed_at = now() WHERE id = ANY($1::bigint[])`, [ids]);
  }

  async markFailed(id: string, reason: string): Promise<void> {
    await this.db.query(`UPDATE billing.parked_usage SET attempts = attempts + 1, last_failed_at = now(), reason = $2 WHERE id = $1`, [id, reason]);
  }

  /** How many are still parked, and since when the oldest of them first failed. */
  async backlog(): Promise<{ parked: number; oldest: Date | null }> {
    const [r] = await this.db.query(`SELECT count(*)::int AS n, min(first_failed_at) AS oldest FROM billing.parked_usage WHERE replayed_at IS NULL`);
    return { parked: r.n, oldest: r.oldest ?? null };
  }
}

export function parkedView(r: ParkedRow): ParkedUsageView {
  let event: unknown = r.event;
  try {
    event = JSON.parse(r.event);
  } catch {
    // Kept as the text it arrived as: that it does not parse is why it is here.
  }
  return {
    id: r.id,
    subject: r.subject,
    event_key: r.event_key,
    event,
    reason: r.reason,
    attempts: r.attempts,
    first_failed_at: new Date(r.first_failed_at).toISOString(),
    last_failed_at: new Date(r.last_failed_at).toISOString(),
    replayed_at: r.replayed_at ? new Date(r.replayed_at).toISOString() : null,
  };
}
