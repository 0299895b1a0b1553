import { TfError } from '@tokenflow/contracts';
import type { FastifyReply } from 'fastify';

export function errorHeaders(err: TfError): Record<string, string> {
  const h: Record<string, string> = { ...err.headers };
  if (err.retryAfterMs !== undefined) {
    h['retry-after'] = String(Math.max(1, Math.ceil(err.retryAfterMs / 1000)));
    h['retry-after-ms'] = String(err.retryAfterMs);
  }
  return h;
}

/** The one place an error becomes an HTTP response: OpenAI's body, the catalogued status, never a stack. */
export function sendError(reply: FastifyReply, error: unknown): void {
  const err = TfError.from(error);
  if (reply.sent || reply.raw.headersSent) {
    if (!reply.raw.destroyed) reply.raw.end();
    return;
  }
  void reply.status(err.status).headers(errorHeaders(err)).send({ error: err.toBody() });
}
