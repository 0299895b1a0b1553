import { headers as natsHeaders, type MsgHdrs } from '@nats-io/transport-node';
import { Headers } from '@tokenflow/contracts';

/** What travels with every hop besides the payload: correlation, W3C trace context and the time left. */
export interface CallContext {
  requestId?: string;
  traceparent?: string;
  /**
   * When the caller stops waiting, in this process's clock (epoch ms). It crosses hosts as the time remaining
   * (`tf-budget-ms`), never as an absolute time, so clock skew between hosts cannot stretch or cut it; every request
   * made with this context is bounded by it.
   */
  deadline?: number;
}

/** Marks a reply as a WireError instead of a result, so results need no envelope. */
export const ERROR_HEADER = 'tf-error';

/** The milliseconds the caller still waits, as sent on a hop. */
export const BUDGET_HEADER = 'tf-budget-ms';

/** The time left before `ctx`'s deadline (`Infinity` without one). */
export function remainingMs(ctx: CallContext | undefined, now = Date.now()): number {
  return ctx?.deadline === undefined ? Infinity : ctx.deadline - now;
}

/** A context whose deadline is `ms` from now, or the caller's if that is sooner. */
export function withBudget(ctx: CallContext, ms: number, now = Date.now()): CallContext {
  return { ...ctx, deadline: Math.min(ctx.deadline ?? Infinity, now + ms) };
}

export function toNatsHeaders(ctx: CallContext | undefined, extra?: Record<string, string>, now = Date.now()): MsgHdrs | undefined {
  if (!ctx?.requestId && !ctx?.traceparent && ctx?.deadline === undefined && !extra) return undefined;
  const h = natsHeaders();
  if (ctx?.requestId) h.set(Headers.requestId, ctx.requestId);
  if (ctx?.traceparent) h.set(Headers.traceparent, ctx.traceparent);
  if (ctx?.deadline !== undefined) h.set(BUDGET_HEADER, String(Math.max(0, Math.floor(ctx.deadline - now))));
  for (const [k, v] of Object.entries(extra ?? {})) h.set(k, v);
  return h;
}

/** The sender's context, with its budget turned back into a deadline on this host's clock as the message arrives. */
export function fromNatsHeaders(h: MsgHdrs | undefined, now = Date.now()): CallContext {
  if (!h) return {};
  const ctx: CallContext = {};
  const requestId = h.get(Headers.requestId);
  const traceparent = h.get(Headers.traceparent);
  const budget = Number(h.get(BUDGET_HEADER) || NaN);
  if (requestId) ctx.requestId = requestId;
  if (traceparent) ctx.traceparent = traceparent;
  if (Number.isFinite(budget) && budget >= 0) ctx.deadline = now + budget;
  return ctx;
}
