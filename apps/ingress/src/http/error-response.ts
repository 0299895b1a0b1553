import { toAnthropicError } from '@tokenflow/anthropic';
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

/**
 * The one place an error becomes an HTTP response: the catalogued status, never a stack, in the format of the API
 * that was called (Anthropic's for `/v1/messages`, OpenAI's everywhere else).
 */
export function sendError(reply: FastifyReply, error: unknown): void {
  const err = TfError.from(error);
  if (reply.sent || reply.raw.headersSent) {
    if (!reply.raw.destroyed) reply.raw.end();
    return;
  }
  if (reply.request.url.startsWith('/v1/messages')) {
    const anthropic = toAnthropicError(err, reply.request.id);
    void reply.status(anthropic.status).headers(errorHeaders(err)).send(anthropic.body);
    return;
  }
  void reply.status(err.status).headers(errorHeaders(err)).send({ error: err.toBody() });
}
