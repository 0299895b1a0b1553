import { Injectable } from '@nestjs/common';
import type { RequestLoggedEvent, RequestLogListRequest, RequestLogView } from '@tokenflow/contracts';
import { DataSource } from 'typeorm';
import { listCondition } from './request-log-query';

/** The columns stored exactly as the admin API shows them. */
type ViewColumns = 'id' | 'account_id' | 'key_id' | 'method' | 'path' | 'endpoint' | 'requested_model' | 'served_model' | 'provider' | 'channel_id' | 'route' | 'category' | 'attempts' | 'stream' | 'status' | 'error_code' | 'latency_ms' | 'ttft_ms' | 'cost_nano' | 'trace_id';

/** A stored entry as read back (numbers as Postgres returns them: bigint as text). */
export type RequestLogRow = Pick<RequestLogView, ViewColumns> & {
  at: Date;
  input_tokens: number | null;
  output_tokens: number | null;
  reasoning_tokens: number | null;
  cached_tokens: number | null;
  content_request: string | null;
  content_response: string | null;
  content_truncated: boolean | null;
};

/** Statement limit of one batch insert: below the consumer's 10 s ack wait, so a stuck batch fails and comes back. */
const INSERT_TIMEOUT_MS = 5_000;

/** Every column but the content, for lists. */
const SUMMARY_COLUMNS = `id, at, account_id, key_id, method, path, endpoint, requested_model, served_model, provider, channel_id, route,
  category, attempts, stream, status, error_code, latency_ms, ttft_ms, input_tokens, output_tokens, reasoning_tokens, cached_tokens,
  cost_nano::text AS cost_nano, trace_id, content_truncated`;

/** Column name, its Postgres array type for `unnest`, and how an event fills it. */
const COLUMNS: [string, string, (e: RequestLoggedEvent) => unknown][] = [
  ['id', 'text', (e) => e.id],
  ['at', 'timestamptz', (e) => e.at],
  ['account_id', 'uuid', (e) => e.accountId],
  ['key_id', 'uuid', (e) => e.keyId],
  ['method', 'text', (e) => e.method],
  ['path', 'text', (e) => e.path],
  ['endpoint', 'text', (e) => e.endpoint],
  ['requested_model', 'text', (e) => e.requestedModel],
  ['served_model', 'text', (e) => e.servedModel],
  ['provider', 'text', (e) => e.provider],
  ['channel_id', 'text', (e) => e.channelId],
  ['route', 'text', (e) => e.route],
  ['category', 'text', (e) => e.category],
  ['attempts', 'int', (e) => e.attempts],
  ['stream', 'boolean', (e) => e.stream],
  ['status', 'int', (e) => e.status],
  ['error_code', 'text', (e) => e.errorCode],
  ['latency_ms', 'float8', (e) => e.latencyMs],
  ['ttft_ms', 'float8', (e) => e.ttftMs],
  ['input_tokens', 'int', (e) => e.inputTokens],
  ['output_tokens', 'int', (e) => e.outputTokens],
  ['reasoning_tokens', 'int', (e) => e.reasoningTokens],
  ['cached_tokens', 'int', (e) => e.cachedTokens],
  ['cost_nano', 'bigint', (e) => e.costNano],
  ['trace_id', 'text', (e) => e.traceId],
  ['content_request', 'text', (e) => e.content?.request ?? null],
  ['content_response', 'text', (e) => e.content?.response ?? null],
  ['content_truncated', 'boolean', (e) => (e.content ? e.content.truncated : null)],
];

const INSERT_SQL = `INSERT INTO billing.request_log (${COLUMNS.map(([c]) => c).join(', ')})
  SELECT * FROM unnest(${COLUMNS.map(([, t], i) => `$${i + 1}::${t}[]`).join(', ')})
  ON CONFLICT (id) DO NOTHING RETURNING 1 AS n`;

/** `billing.request_log`: batched, idempotent inserts; pages newest first; retention deletes in bounded batches. */
@Injectable()
export class RequestLogRepository {
  constructor(private readonly db: DataSource) {}

  /** One statement per batch; an id already stored (a redelivery) is skipped. Returns how many rows were new. */
  async insertBatch(events: RequestLoggedEvent[]): Promise<number> {
    if (events.length === 0) return 0;
    const arrays = COLUMNS.map(([, type, get]) => events.map((e) => storable(get(e), type)));
    return this.db.transaction(async (m) => {
      await m.query(`SET LOCAL statement_timeout = ${INSERT_TIMEOUT_MS}`);
      const inserted: unknown[] = await m.query(INSERT_SQL, arrays);
      return inserted.length;
    });
  }

  /** Up to `limit` entries, newest first, without content. */
  list(q: RequestLogListRequest, limit: number): Promise<RequestLogRow[]> {
    const n = Number(limit);
    const page = (where: string) => `SELECT ${SUMMARY_COLUMNS} FROM billing.request_log ${where} ORDER BY at DESC, id DESC LIMIT ${n}`;
    if (q.model === undefined) {
      const { where, params } = listCondition(q);
      return this.db.query(page(where), params);
    }
    // Requested or served: each side walks its own (model, at, id) index for one page; the merge keeps the newest.
    const params: unknown[] = [];
    const requested = listCondition(q, 'requested', params).where;
    const served = listCondition(q, 'served', params).where;
    return this.db.query(`SELECT * FROM ((${page(requested)}) UNION ALL (${page(served)})) AS both_sides ORDER BY at DESC, id DESC LIMIT ${n}`, params);
  }

  async get(id: string): Promise<RequestLogRow | null> {
    const rows: RequestLogRow[] = await this.db.query(
      `SELECT ${SUMMARY_COLUMNS}, content_request, content_response FROM billing.request_log WHERE id = $1`,
      [id],
    );
    return rows[0] ?? null;
  }

  /**
   * Deletes up to `batch` entries older than `before` (oldest first, by physical row: no sort of what is kept).
   * Returns how many went; the caller repeats while a full batch went.
   */
  async deleteBefore(before: Date, batch: number): Promise<number> {
    const [, count] = (await this.db.query(
      `DELETE FROM billing.request_log WHERE ctid = ANY(ARRAY(SELECT ctid FROM billing.request_log WHERE at < $1 LIMIT $2))`,
      [before, batch],
    )) as [unknown, number];
    return count;
  }
}

/** Postgres text cannot hold NUL: it becomes U+FFFD (a log entry is never refused for a character). */
function storable(v: unknown, type: string): unknown {
  return type === 'text' && typeof v === 'string' && v.includes('\u0000') ? v.replaceAll('\u0000', '\uFFFD') : v;
}
