import { Headers } from '@tokenflow/contracts';
import type { CallContext } from '@tokenflow/messaging';
import { childSpan, formatTraceparent, parseTraceparent, traceparentOf, tracingOn } from '@tokenflow/observability';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { principalOf } from '../auth/auth.hook';
import { requestDeadline } from '../gateway/deadline';
import { requestSpan } from '../trail/request-span.listener';
import type { GatewayCall } from '../gateway/gateway.service';
import { HttpClientChannel } from './http-client-channel';

/**
 * Correlation for the NATS hops: our request id plus the request's W3C trace context, one per request. Tracing on, it
 * names the request's root span (`RequestSpans`), so every hop is that span's child; off, it is a span id of our own
 * under the caller's trace (or a new trace), as before.
 */
export function callContext(req: FastifyRequest): CallContext {
  const trail = req.trail;
  if (!trail.traceparent) {
    const span = tracingOn() ? requestSpan(req) : undefined;
    if (span) trail.traceparent = traceparentOf(span);
    else {
      const parent = parseTraceparent(req.headers[Headers.traceparent] as string | undefined);
      trail.traceparent = formatTraceparent(childSpan(parent));
    }
  }
  return { requestId: req.id, traceparent: trail.traceparent };
}

/** What every API's handler passes to the gateway about the HTTP call: the caller, the deadline, the client. */
export function httpCall(req: FastifyRequest, reply: FastifyReply, maxTimeoutMs: number): Pick<GatewayCall, 'principal' | 'bodyBytes' | 'requestId' | 'ctx' | 'client' | 'trail'> {
  // The auth hook already checked the key, before the body was read.
  const principal = principalOf(req);
  const deadline = requestDeadline(req.headers[Headers.timeoutMs], maxTimeoutMs);
  return { principal, bodyBytes: req.bodyBytes, requestId: req.id, ctx: { ...callContext(req), deadline }, client: new HttpClientChannel(reply), trail: req.trail };
}
