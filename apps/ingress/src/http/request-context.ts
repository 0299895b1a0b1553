import { Headers } from '@tokenflow/contracts';
import type { CallContext } from '@tokenflow/messaging';
import { childSpan, formatTraceparent, parseTraceparent } from '@tokenflow/observability';
import type { FastifyRequest } from 'fastify';

/** Correlation for the NATS hops: our request id plus the caller's W3C trace (or a new one). */
export function callContext(req: FastifyRequest): CallContext {
  const parent = parseTraceparent(req.headers[Headers.traceparent] as string | undefined);
  return { requestId: req.id, traceparent: formatTraceparent(childSpan(parent)) };
}
