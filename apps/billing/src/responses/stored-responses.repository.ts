import { Injectable } from '@nestjs/common';
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

/**
 * One turn of a continuation's chain, newest (depth 1) to oldest. `input`/`output` are null on the turn that crossed a
 * bound (it is only read to learn that it did).
 */
export interface ChainRow {
  id: string;
  previous_response_id: string | null;
  depth: number;
  total_bytes: string;
  /** JSON text of the jsonb arrays, never parsed by billing (see `StoredResponsesService.context`). */
  input: string | null;
  output: string | null;
}

/** One found item of a `ResponseItemsRequest`: `n` is its ref's 1-based position; `json` is null past `maxBytes`. */
export interface ItemRow {
  n: number;
  total: string;
  json: string | null;
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

  /** The stored Response object as JSON text (jsonb's rendering), without parsing it here. */
  async getJson(id: string, accountId: string): Promise<string | null> {
    const rows: { json: string }[] = await this.db.query(`SELECT response::text AS json FROM billing.stored_responses WHERE id = $1 AND account_id = $2`, [id, accountId]);
    return rows[0]?.json ?? null;
  }

  /** What reading `ids` of the account would read, by their stored size (`context_bytes`), without reading any jsonb. */
  async storedBytes(ids: string[], accountId: string): Promise<number> {
    const rows: { bytes: string }[] = await this.db.query(
      `SELECT coalesce(sum(context_bytes), 0)::text AS bytes FROM billing.stored_responses WHERE id = ANY($1::text[]) AND account_id = $2`,
      [ids, accountId],
    );
    return Number(rows[0].bytes);
  }

  /**
   * The items `refs` name, in one statement: each referenced response is read once (however many of its items are
   * named), only the column that can hold them (an id ending `_in<n>` is an input item, as ingress names them; any
   * other an output item), and the items' JSON text leaves Postgres only when all of them together are within `maxBytes`.
   */
  items(refs: { id: string; responseId: string }[], accountId: string, maxBytes: number): Promise<ItemRow[]> {
    return this.db.query(
      `WITH refs AS (
         SELECT r.item_id, r.response_id, r.n, r.item_id ~ '_in[0-9]+$' AS in_input
         FROM unnest($1::text[], $2::text[]) WITH ORDINALITY AS r(item_id, response_id, n)
       ), wanted AS (
         SELECT response_id, bool_or(in_input) AS input, bool_or(NOT in_input) AS output FROM refs GROUP BY response_id
       ), elems AS (
         SELECT w.response_id, e.item
         FROM wanted w JOIN billing.stored_responses s ON s.id = w.response_id AND s.account_id = $3
         CROSS JOIN LATERAL jsonb_array_elements(CASE WHEN w.input THEN s.input ELSE '[]'::jsonb END) AS e(item)
         UNION ALL
         SELECT w.response_id, e.item
         FROM wanted w JOIN billing.stored_responses s ON s.id = w.response_id AND s.account_id = $3
         CROSS JOIN LATERAL jsonb_array_elements(
           CASE WHEN w.output AND jsonb_typeof(s.response -> 'output') = 'array' THEN s.response -> 'output' ELSE '[]'::jsonb END
         ) AS e(item)
       ), found AS (
         SELECT DISTINCT ON (r.n) r.n, e.item
         FROM refs r JOIN elems e ON e.response_id = r.response_id AND e.item ->> 'id' = r.item_id
         ORDER BY r.n
       ), sized AS (
         SELECT n, item, octet_length(item::text)::bigint AS bytes FROM found
       )
       SELECT n::int AS n, (sum(bytes) OVER ())::text AS total,
         CASE WHEN sum(bytes) OVER () <= $4 THEN item::text END AS json
       FROM sized ORDER BY n`,
      [refs.map((r) => r.id), refs.map((r) => r.responseId), accountId, maxBytes],
    );
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
         CASE WHEN c.depth <= $3 AND c.total_bytes <= $4 THEN s.input::text END AS input,
         CASE WHEN c.depth <= $3 AND c.total_bytes <= $4 THEN coalesce(s.response -> 'output', '[]'::jsonb)::text END AS output
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
  async inputItems(id: string, accountId: string, from: number, order: 'asc' | 'desc', limit: number): Promise<{ id: string | null; json: string }[]> {
    const cmp = order === 'asc' ? '>' : '<';
    const dir = order === 'asc' ? 'ASC' : 'DESC';
    // As JSON text: a page of up to 100 items may hold megabytes (images) that billing passes on without parsing.
    return this.db.query(
      `SELECT e.item ->> 'id' AS id, e.item::text AS json FROM billing.stored_responses s, jsonb_array_elements(s.input) WITH ORDINALITY AS e(item, n)
       WHERE s.id = $1 AND s.account_id = $2 AND e.n ${cmp} $3
       ORDER BY e.n ${dir} LIMIT $4`,
      [id, accountId, from, limit],
    );
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
