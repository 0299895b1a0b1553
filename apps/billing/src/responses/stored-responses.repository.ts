import { Injectable } from '@nestjs/common';
import type { ResponseItem } from '@tokenflow/contracts';
import { DataSource } from 'typeorm';

/** A row to insert: the jsonb columns as JSON text already made storable (see `storableJson`). */
export interface StoredResponseInsert {
  id: string;
  accountId: string;
  keyId: string;
  createdAt: number;
  model: string;
  previousResponseId: string | null;
  inputJson: string;
  responseJson: string;
  contextBytes: number;
}

export interface StoredResponseRow {
  id: string;
  account_id: string;
  key_id: string;
  created_at: number;
  model: string;
  previous_response_id: string | null;
  input: ResponseItem[];
  response: Record<string, unknown>;
}

/**
 * One turn of a continuation's chain, newest (depth 1) to oldest. `input`/`output` are null on the turn that crossed a
 * bound (it is only read to learn that it did).
 */
export interface ChainRow {
  id: string;
  previous_response_id: string | null;
  depth: number;
  total_bytes: string;
  input: ResponseItem[] | null;
  output: ResponseItem[] | null;
}

export interface InputItemsAnchor {
  length: number;
  /** 1-based position of the `after` item, null when it is not among the items. */
  after_n: number | null;
}

/** `billing.stored_responses` (decision 0022): every read and delete by id within one account. */
@Injectable()
export class StoredResponsesRepository {
  constructor(private readonly db: DataSource) {}

  /** Idempotent on id: a second store of the same id keeps the first. */
  async insert(r: StoredResponseInsert): Promise<void> {
    await this.db.query(
      `INSERT INTO billing.stored_responses (id, account_id, key_id, created_at, model, previous_response_id, input, response, context_bytes)
       VALUES ($1, $2, $3, to_timestamp($4), $5, $6, $7::jsonb, $8::jsonb, $9)
       ON CONFLICT (id) DO NOTHING`,
      [r.id, r.accountId, r.keyId, r.createdAt, r.model, r.previousResponseId, r.inputJson, r.responseJson, r.contextBytes],
    );
  }

  async get(id: string, accountId: string): Promise<StoredResponseRow | null> {
    const rows: StoredResponseRow[] = await this.db.query(
      `SELECT id, account_id, key_id, floor(extract(epoch FROM created_at))::float8 AS created_at, model, previous_response_id, input, response
       FROM billing.stored_responses WHERE id = $1 AND account_id = $2`,
      [id, accountId],
    );
    return rows[0] ?? null;
  }

  /**
   * The chain of `previous_response_id` links ending at `id`, newest first, in one statement. The walk stops at the
   * first turn past `maxTurns` or past `maxBytes` in total (`context_bytes`, summed newest to oldest), so it reads at
   * most `maxTurns + 1` rows and the jsonb of no turn beyond the bounds: the caller sees the crossing row and refuses.
   * Links are followed within the account only; a link to a row that is gone (deleted, past retention) ends the walk
   * with the last row's `previous_response_id` still set.
   */
  chain(id: string, accountId: string, maxTurns: number, maxBytes: number): Promise<ChainRow[]> {
    return this.db.query(
      `WITH RECURSIVE chain AS (
         SELECT id, previous_response_id, 1 AS depth, context_bytes AS total_bytes
         FROM billing.stored_responses WHERE id = $1 AND account_id = $2
         UNION ALL
         SELECT p.id, p.previous_response_id, c.depth + 1, c.total_bytes + p.context_bytes
         FROM chain c JOIN billing.stored_responses p ON p.id = c.previous_response_id AND p.account_id = $2
         WHERE c.depth <= $3 AND c.total_bytes <= $4
       )
       SELECT c.id, c.previous_response_id, c.depth, c.total_bytes::text AS total_bytes,
         CASE WHEN c.depth <= $3 AND c.total_bytes <= $4 THEN s.input END AS input,
         CASE WHEN c.depth <= $3 AND c.total_bytes <= $4 THEN coalesce(s.response -> 'output', '[]'::jsonb) END AS output
       FROM chain c JOIN billing.stored_responses s ON s.id = c.id
       ORDER BY c.depth`,
      [id, accountId, maxTurns, maxBytes],
    );
  }

  /** How many input items the response has and where `after` is among them; null when the response is not there. */
  async inputItemsAnchor(id: string, accountId: string, after: string | undefined): Promise<InputItemsAnchor | null> {
    const rows: InputItemsAnchor[] = await this.db.query(
      `SELECT jsonb_array_length(s.input) AS length,
         (SELECT e.n FROM jsonb_array_elements(s.input) WITH ORDINALITY AS e(item, n) WHERE $3::text IS NOT NULL AND e.item ->> 'id' = $3 LIMIT 1)::int AS after_n
       FROM billing.stored_responses s WHERE s.id = $1 AND s.account_id = $2`,
      [id, accountId, after ?? null],
    );
    return rows[0] ?? null;
  }

  /** Up to `limit` input items strictly after position `from` in `order` (positions are 1-based; asc from 0, desc from length + 1). */
  async inputItems(id: string, accountId: string, from: number, order: 'asc' | 'desc', limit: number): Promise<ResponseItem[]> {
    const cmp = order === 'asc' ? '>' : '<';
    const dir = order === 'asc' ? 'ASC' : 'DESC';
    const rows: { item: ResponseItem }[] = await this.db.query(
      `SELECT e.item FROM billing.stored_responses s, jsonb_array_elements(s.input) WITH ORDINALITY AS e(item, n)
       WHERE s.id = $1 AND s.account_id = $2 AND e.n ${cmp} $3
       ORDER BY e.n ${dir} LIMIT $4`,
      [id, accountId, from, limit],
    );
    return rows.map((r) => r.item);
  }

  /** True when a row of the account went. */
  async delete(id: string, accountId: string): Promise<boolean> {
    const [, count] = (await this.db.query(`DELETE FROM billing.stored_responses WHERE id = $1 AND account_id = $2`, [id, accountId])) as [unknown, number];
    return count > 0;
  }

  /** Deletes up to `batch` responses created before `before` (by physical row); returns how many went. */
  async deleteBefore(before: Date, batch: number): Promise<number> {
    const [, count] = (await this.db.query(
      `DELETE FROM billing.stored_responses WHERE ctid = ANY(ARRAY(SELECT ctid FROM billing.stored_responses WHERE created_at < $1 LIMIT $2))`,
      [before, batch],
    )) as [unknown, number];
    return count;
  }
}
