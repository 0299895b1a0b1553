import { type ArgumentsHost, Catch, type ExceptionFilter, HttpException } from '@nestjs/common';
import { createLogger } from '@tokenflow/observability';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { dialectFor } from '../providers/wire.registry';
import { ProviderError } from './provider-error';

const log = createLogger('mock-provider');

/**
 * Every error leaves in the format of the provider the path belongs to, including Fastify's own (bad JSON, wrong
 * content type, too large, unknown path) that happen before a handler runs: the gateway under test must never see
 * a shape a real provider would not send.
 */
@Catch()
export class ProviderExceptionFilter implements ExceptionFilter {
  catch(exception: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    const reply = http.getResponse<FastifyReply>();
    const req = http.getRequest<FastifyRequest>();
    // A stream that already started cannot carry an error status any more; cutting it is what a real upstream does.
    if (reply.sent || reply.raw.headersSent) {
      reply.raw.destroy();
      return;
    }
    const error = toProviderError(exception, req);
    void reply.code(error.status).headers(error.headers).send(error.body());
  }
}

export function toProviderError(exception: unknown, req?: FastifyRequest): ProviderError {
  if (exception instanceof ProviderError) return exception;
  const dialect = dialectFor(req?.url ?? '');
  if (exception instanceof HttpException) {
    const status = exception.getStatus();
    if (status === 404) return dialect.notFound(req?.method ?? '', req?.url ?? '');
    if (status >= 500) return dialect.serverError();
    // Nest wraps Fastify's body-parser errors in an HttpException with the original as the cause.
    const code = (exception.cause as { code?: unknown } | undefined)?.code;
    if (code === 'FST_ERR_CTP_INVALID_JSON_BODY' || code === 'FST_ERR_CTP_EMPTY_JSON_BODY') return dialect.unparsableBody();
    return dialect.clientError(status, exception.message);
  }
  log.error({ err: exception }, 'unexpected error');
  return dialect.serverError();
}
