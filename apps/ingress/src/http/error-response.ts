import { TfError } from '@tokenflow/contracts';
import type { FastifyReply } from 'fastify';
import { errorRendererFor } from '../gateway/formats/api-errors';

export function errorHeaders(err: TfError): Record<string, string> {
  const h: Record<string, string> = { ...err.headers };
  if (err.retryAfterMs !== undefined) {
    h['retry-after'] = String(Math.max(1, Math.ceil(err.retryAfterMs / 1000)));
    h['retry-after-ms'] = String(err.retryAfterMs);
  }
  return h;
}

/**
 * The one place an error becomes an HTTP response: the catalogued status, never a stack, rendered by the API the
 * route serves (see `errorRendererFor`). Once a stream started, its format renders failures as events instead.
 */
export function sendError(reply: FastifyReply, error: unknown): void {
  const err = TfError.from(error);
  reply.request.trail?.failed(err);
  if (reply.sent || reply.raw.headersSent) {
    if (!reply.raw.destroyed) reply.raw.end();
    return;
  }
  const rendered = errorRendererFor(reply.request).response(err, reply.request.id);
  void reply.status(rendered.status).headers(errorHeaders(err)).send(rendered.body);
}
