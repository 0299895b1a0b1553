import { type RequestLogListRequest, TfError } from '@tokenflow/contracts';

/** Most and default entries per page. */
export const MAX_PAGE = 200;
export const DEFAULT_PAGE = 50;

/** Where a page ends: the last entry's time and id (newest first, ties broken by id). */
export interface RequestLogCursor {
  atMs: number;
  id: string;
}

const CURSOR_VERSION = 'r1';

/** Opaque to callers: base64url of `r1:<epoch ms>:<id>`. */
export function encodeCursor(c: RequestLogCursor): string {
  return Buffer.from(`${CURSOR_VERSION}:${c.atMs}:${c.id}`).toString('base64url');
}

/** The cursor an earlier page handed out; anything else is the caller's 400 on `after`. */
export function decodeCursor(after: string): RequestLogCursor {
  const bad = () => new TfError('invalid_request', "Invalid 'after': pass the next_cursor of a previous page.", { param: 'after' });
  if (after.length > 400 || !/^[A-Za-z0-9_-]+$/.test(after)) throw bad();
  const text = Buffer.from(after, 'base64url').toString('utf8');
  const m = /^r1:(\d{1,15}):([\x21-\x7e]{1,200})$/.exec(text);
  if (!m) throw bad();
  const atMs = Number(m[1]);
  if (!Number.isSafeInteger(atMs) || Number.isNaN(new Date(atMs).getTime())) throw bad();
  return { atMs, id: m[2] };
}

/**
 * One page's SQL condition and parameters (pushed onto `params`, so two conditions can share one statement), newest
 * first; every filter matches an index ending in `(at, id)`. `model` matches the requested or the served model: an
 * OR no ordered index serves, so the repository runs one side per column (`modelSide`) and merges them; without a
 * side the condition is the plain OR.
 */
export function listCondition(q: RequestLogListRequest, modelSide?: 'requested' | 'served', params: unknown[] = []): { where: string; params: unknown[] } {
  const conds: string[] = [];
  const p = (v: unknown) => `$${params.push(v)}`;
  if (q.account_id !== undefined) conds.push(`account_id = ${p(q.account_id)}`);
  if (q.key_id !== undefined) conds.push(`key_id = ${p(q.key_id)}`);
  if (q.model !== undefined) {
    const m = p(q.model);
    if (modelSide === 'requested') conds.push(`requested_model = ${m}`);
    // The served side leaves out what the requested side already has (`auto` → `auto` never, `gpt-4o` → `gpt-4o` yes).
    else if (modelSide === 'served') conds.push(`served_model = ${m} AND requested_model IS DISTINCT FROM ${m}`);
    else conds.push(`(requested_model = ${m} OR served_model = ${m})`);
  }
  if (q.status !== undefined) conds.push(`status = ${p(q.status)}`);
  if (q.error_code !== undefined) conds.push(`error_code = ${p(q.error_code)}`);
  if (q.since !== undefined) conds.push(`at >= ${p(instant(q.since, 'since'))}`);
  if (q.until !== undefined) conds.push(`at < ${p(instant(q.until, 'until'))}`);
  if (q.after !== undefined) {
    const c = decodeCursor(q.after);
    conds.push(`(at, id) < (${p(new Date(c.atMs))}, ${p(c.id)})`);
  }
  return { where: conds.length ? `WHERE ${conds.join(' AND ')}` : '', params };
}

/** The page size asked for, within 1–200 (ingress validates; billing does not trust it blindly). */
export function pageSize(limit: number | undefined): number {
  if (limit === undefined) return DEFAULT_PAGE;
  return Math.min(MAX_PAGE, Math.max(1, Math.floor(limit)));
}

function instant(iso: string, param: string): Date {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) throw new TfError('invalid_request', `Invalid '${param}': expected an ISO 8601 time.`, { param });
  return d;
}
