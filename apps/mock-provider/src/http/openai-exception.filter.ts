import { type ArgumentsHost, Catch, type ExceptionFilter, HttpException } from '@nestjs/common';
import { createLogger } from '@tokenflow/observability';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { OpenAiError } from './openai-error';

const log = createLogger('mock-provider');

const INVALID_JSON =
  "We could not parse the JSON body of your request. (HINT: This likely means you aren't using your HTTP library correctly. The API expects a JSON payload, but what was sent was not valid JSON.)";

/**
 * Every error leaves in OpenAI's format, including Fastify's own (bad JSON, wrong content type, too large) that
 * happen before a handler runs: the gateway under test must never see a shape a real provider would not send.
 */
@Catch()
export class OpenAiExceptionFilter implements ExceptionFilter {
  catch(exception: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    const reply = http.getResponse<FastifyReply>();
    const req = http.getRequest<FastifyRequest>();
    // A stream that already started cannot carry an error status any more; cutting it is what a real upstream does.
    if (reply.sent || reply.raw.headersSent) {
      reply.raw.destroy();
      return;
    }
    const error = toOpenAiError(exception, req);
    void reply.code(error.status).headers(error.headers).send(error.body());
  }
}

export function toOpenAiError(exception: unknown, req?: FastifyRequest): OpenAiError {
  if (exception instanceof OpenAiError) return exception;
  if (exception instanceof HttpException) {
    const status = exception.getStatus();
    if (status === 404) return OpenAiError.notFound(req?.method ?? '', req?.url ?? '');
    if (status >= 500) return OpenAiError.serverError();
    // Nest wraps Fastify's body-parser errors in an HttpException with the original as the cause.
    const code = (exception.cause as { code?: unknown } | undefined)?.code;
    const unparsable = code === 'FST_ERR_CTP_INVALID_JSON_BODY' || code === 'FST_ERR_CTP_EMPTY_JSON_BODY';
    return new OpenAiError(status, unparsable ? INVALID_JSON : exception.message, 'invalid_request_error');
  }
  log.error({ err: exception }, 'unexpected error');
  return OpenAiError.serverError();
}
