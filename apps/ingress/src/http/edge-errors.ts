import { type IncomingMessage, type ServerResponse, STATUS_CODES } from 'node:http';
import type { Socket } from 'node:net';
import { Headers, TfError } from '@tokenflow/contracts';
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { errorRendererFor } from '../gateway/formats/api-errors';
import { sendError } from './error-response';

/**
 * The router's own refusals, before any hook or controller runs: a malformed percent-escape in the path (400) or a
 * path parameter longer than the router takes (414). Rendered like every other error of that API.
 */
export function frameworkErrors(error: FastifyError, req: FastifyRequest, reply: FastifyReply): void {
  const err =
    error.code === 'FST_ERR_MAX_PARAM_LENGTH'
      ? new TfError('uri_too_long', 'The request URL is too long.')
      : new TfError('invalid_request', 'The request URL is malformed (invalid percent-encoding).');
  void reply.header(Headers.requestId, req.id);
  sendError(reply, err);
}

type ClientError = Error & { code?: string; rawPacket?: unknown };

/**
 * Node's HTTP parser refuses some requests before a request object exists: headers too large (431), a malformed
 * request line, header or chunked body (400), a request not received within the timeout (408). These are written
 * raw on the socket, as the API's own error format, then the connection is closed (the stream is unreadable).
 */
export function clientErrorHandler(err: ClientError, socket: Socket): void {
  if (err.code === 'ECONNRESET' || socket.destroyed) return;
  const pending = (socket as Socket & { _httpMessage?: { headersSent?: boolean } })._httpMessage;
  if (socket.writable && !pending?.headersSent) {
    const error = clientTfError(err);
    // The path, if the request line was read: the request being parsed has it, else the raw bytes start with it.
    const incoming = (socket as Socket & { parser?: { incoming?: { url?: string } } }).parser?.incoming?.url;
    const path = incoming ?? (Buffer.isBuffer(err.rawPacket) ? err.rawPacket.subarray(0, 64).toString('latin1').split(' ')[1] : undefined);
    writeRaw(socket, error, path);
  }
  socket.destroy(err);
}

/**
 * Node answers an `Expect` header other than `100-continue` with a bare 417 unless someone listens: in the API's
 * format instead.
 */
export function expectationFailed(req: IncomingMessage, res: ServerResponse): void {
  const error = new TfError('expectation_failed', 'Unsupported Expect header: only 100-continue is supported.', { param: 'Expect' });
  const rendered = errorRendererFor(req).response(error, null);
  res.writeHead(rendered.status, { 'content-type': 'application/json', connection: 'close' }).end(JSON.stringify(rendered.body));
}

function writeRaw(socket: Socket, error: TfError, path: string | undefined): void {
  const rendered = errorRendererFor({ url: path }).response(error, null);
  const body = JSON.stringify(rendered.body);
  socket.write(
    `HTTP/1.1 ${rendered.status} ${STATUS_CODES[rendered.status]}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
  );
}

function clientTfError(err: ClientError): TfError {
  switch (err.code) {
    case 'ERR_HTTP_REQUEST_TIMEOUT':
      return new TfError('request_timeout', 'The request was not received in time.');
    case 'HPE_HEADER_OVERFLOW':
      return new TfError('headers_too_large', 'The request headers are too large.');
    case 'HPE_INVALID_CHUNK_SIZE':
    case 'HPE_INVALID_TRANSFER_ENCODING':
    case 'HPE_UNEXPECTED_CONTENT_LENGTH':
    case 'HPE_INVALID_CONTENT_LENGTH':
      return new TfError('invalid_request', 'The request body is malformed (transfer or content length).');
    default:
      return new TfError('invalid_request', 'The HTTP request is malformed.');
  }
}
