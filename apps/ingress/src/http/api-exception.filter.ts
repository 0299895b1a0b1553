import { type ArgumentsHost, Catch, type ExceptionFilter, HttpException } from '@nestjs/common';
import { TfError } from '@tokenflow/contracts';
import { createLogger } from '@tokenflow/observability';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { sendError } from './error-response';

const log = createLogger('ingress.errors');

/** Every exception leaves in the called API's error format; unexpected ones are logged here and hidden from the client. */
@Catch()
export class ApiExceptionFilter implements ExceptionFilter {
  catch(exception: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    const reply = http.getResponse<FastifyReply>();
    const req = http.getRequest<FastifyRequest>();
    sendError(reply, toTfError(exception, req));
  }
}

export function toTfError(exception: unknown, req?: FastifyRequest): TfError {
  if (exception instanceof TfError) return exception;
  const bodyError = fastifyBodyError(exception);
  if (bodyError) return bodyError;
  if (exception instanceof HttpException) {
    const status = exception.getStatus();
    if (status === 404) return new TfError('not_found', `Unknown request URL: ${req?.method ?? ''} ${req?.url ?? ''}.`);
    if (status === 413) return new TfError('request_too_large', 'The request body is too large.');
    if (status < 500) return new TfError('invalid_request', exception.message);
  }
  log.error({ err: exception, requestId: req?.id }, 'unhandled error');
  return TfError.from(exception);
}

/** Body-parser failures (bad JSON, too large, wrong content type) raised by Fastify before the handler runs. */
function fastifyBodyError(exception: unknown): TfError | null {
  const fastifyCode = (exception as { code?: string })?.code ?? ((exception as { cause?: { code?: string } })?.cause?.code);
  if (fastifyCode === 'FST_ERR_CTP_BODY_TOO_LARGE') return new TfError('request_too_large', 'The request body is too large.');
  // zlib and brotli refusing a Content-Encoding'd body (see content-encoding.ts).
  if (fastifyCode?.startsWith('Z_') || fastifyCode?.startsWith('ERR_BROTLI') || fastifyCode === 'ERR_ZLIB_INITIALIZATION_FAILED') {
    return new TfError('invalid_request', 'The request body could not be decoded as its Content-Encoding says.');
  }
  // The client went away while sending its body: nobody reads the answer, and it is not our error.
  if (fastifyCode === 'ECONNRESET' || fastifyCode === 'FST_ERR_CTP_INVALID_CONTENT_LENGTH') {
    return new TfError('invalid_request', 'The request body ended before its declared length.');
  }
  if (fastifyCode === 'FST_ERR_CTP_INVALID_MEDIA_TYPE') {
    return new TfError('unsupported_media_type', 'Unsupported Content-Type: send the body as application/json.');
  }
  if (fastifyCode === 'FST_ERR_CTP_EMPTY_JSON_BODY' || exception instanceof SyntaxError || fastifyCode === 'FST_ERR_CTP_INVALID_JSON_BODY') {
    return new TfError(
      'invalid_json',
      "We could not parse the JSON body of your request. (HINT: This likely means you aren't using your HTTP library correctly. The API expects a JSON payload, but what was sent was not valid JSON.)",
    );
  }
  return null;
}
