import type { IncomingMessage } from 'node:http';
import type { Readable } from 'node:stream';
import { TfError } from '@tokenflow/contracts';
import type { FastifyInstance } from 'fastify';
import { JsonScanner, parseJsonBody } from './json-scan';
import type { JsonWorkers } from './json-workers';

declare module 'fastify' {
  interface FastifyRequest {
    /** The JSON body's size as received (decoded): how much work it is worth moving off the event loop. */
    bodyBytes: number;
  }
}

/** Bodies up to this size are parsed on the event loop (well under a millisecond); larger ones in a worker. */
const INLINE_BYTES = 256 * 1024;
/** The most a declared Content-Length reserves before the bytes arrive; past it the buffer grows as they do. */
const RESERVE_BYTES = 8 * 1024 * 1024;

/**
 * The `application/json` body parser. The body is copied into one buffer chunk by chunk as it arrives (no large
 * concatenation at the end), and a large one is moved — not copied — to a worker thread that scans it (objects,
 * arrays, depth) and parses it, so neither a hostile body (hundreds of thousands of tiny objects, deep nesting) nor
 * a legitimately large one (images as data URLs) holds the event loop. What comes back is the parsed value, copied
 * at memcpy speed for string-heavy bodies.
 */
export function registerJsonBodyParser(fastify: FastifyInstance, bodyLimit: number, workers: JsonWorkers): void {
  fastify.decorateRequest('bodyBytes', 0);
  fastify.removeContentTypeParser('application/json');
  fastify.addContentTypeParser('application/json', async (req: { raw: IncomingMessage; bodyBytes: number }, payload: Readable) => {
    const { buf, length } = await receive(req.raw, payload, bodyLimit);
    req.bodyBytes = length;
    if (length <= INLINE_BYTES) {
      try {
        return parseJsonBody(buf.subarray(0, length));
      } catch (err) {
        throw err instanceof TfError ? err : invalidJson();
      }
    }
    // The buffer is this request's alone: moved, the worker sees it without a copy.
    const out = await workers.parse(buf, length);
    if ('body' in out) return out.body;
    throw out.error.code === 'invalid_request' ? new TfError('invalid_request', out.error.message, { param: out.error.param ?? null }) : invalidJson();
  });
}

/**
 * Reads the body into one buffer of its own, scanning each chunk as it arrives: refused at the size limit
 * (Content-Length first, then the bytes) or at the first structural limit (`JsonScanner`), without reading on.
 */
function receive(raw: IncomingMessage, payload: Readable, limit: number): Promise<{ buf: Buffer; length: number }> {
  const encoded = raw.headers['content-encoding'] !== undefined;
  const declared = encoded ? NaN : Number(raw.headers['content-length']);
  if (declared > limit) return Promise.reject(tooLarge());
  let buf = Buffer.allocUnsafeSlow(Math.min(declared > 0 ? declared : 64 * 1024, RESERVE_BYTES));
  let length = 0;
  const scanner = new JsonScanner();
  return new Promise((resolve, reject) => {
    const refuse = (err: TfError) => {
      payload.removeAllListeners('data');
      payload.resume();
      reject(err);
    };
    payload.on('data', (chunk: Buffer) => {
      if (length + chunk.length > limit) return refuse(tooLarge());
      const refused = scanner.push(chunk);
      if (refused) return refuse(refused);
      if (length + chunk.length > buf.length) {
        const grown = Buffer.allocUnsafeSlow(Math.min(limit, Math.max(buf.length * 2, length + chunk.length)));
        buf.copy(grown, 0, 0, length);
        buf = grown;
      }
      chunk.copy(buf, length);
      length += chunk.length;
    });
    payload.once('end', () => resolve({ buf, length }));
    payload.once('error', reject);
  });
}

function tooLarge(): TfError {
  return new TfError('request_too_large', 'The request body is too large.');
}

function invalidJson(): TfError {
  return new TfError(
    'invalid_json',
    "We could not parse the JSON body of your request. (HINT: This likely means you aren't using your HTTP library correctly. The API expects a JSON payload, but what was sent was not valid JSON.)",
  );
}
