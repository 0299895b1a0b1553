import { headers as natsHeaders, type MsgHdrs } from '@nats-io/transport-node';
import { Headers } from '@tokenflow/contracts';

/** What travels with every hop besides the payload: correlation and W3C trace context. */
export interface CallContext {
  requestId?: string;
  traceparent?: string;
}

/** Marks a reply as a WireError instead of a result, so results need no envelope. */
export const ERROR_HEADER = 'tf-error';

export function toNatsHeaders(ctx: CallContext | undefined, extra?: Record<string, string>): MsgHdrs | undefined {
  if (!ctx?.requestId && !ctx?.traceparent && !extra) return undefined;
  const h = natsHeaders();
  if (ctx?.requestId) h.set(Headers.requestId, ctx.requestId);
  if (ctx?.traceparent) h.set(Headers.traceparent, ctx.traceparent);
  for (const [k, v] of Object.entries(extra ?? {})) h.set(k, v);
  return h;
}

export function fromNatsHeaders(h: MsgHdrs | undefined): CallContext {
  if (!h) return {};
  const ctx: CallContext = {};
  const requestId = h.get(Headers.requestId);
  const traceparent = h.get(Headers.traceparent);
  if (requestId) ctx.requestId = requestId;
  if (traceparent) ctx.traceparent = traceparent;
  return ctx;
}
