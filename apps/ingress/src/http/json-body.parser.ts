import { join } from 'node:path';
import { TfError } from '@tokenflow/contracts';
import type { FastifyInstance } from 'fastify';
import { Piscina } from 'piscina';
import type parseInWorker from './json-body.worker';
import { parseJsonBody } from './json-scan';

/** Bodies up to this size are parsed on the event loop (well under a millisecond); larger ones in a worker. */
const INLINE_BYTES = 256 * 1024;

/**
 * The `application/json` body parser. A large body is scanned and parsed in a worker thread, so neither a hostile
 * one (hundreds of thousands of tiny objects, deep nesting) nor a legitimately large one (images as data URLs)
 * holds the event loop: what comes back is the parsed value, copied at memcpy speed for string-heavy bodies.
 */
export function registerJsonBodyParser(fastify: FastifyInstance): void {
  const pool = new Piscina({ filename: join(__dirname, 'json-body.worker.js'), minThreads: 1, maxThreads: 1, maxQueue: 64, idleTimeout: 60_000 });
  fastify.addHook('onClose', async () => {
    await pool.close({ force: true });
  });
  fastify.removeContentTypeParser('application/json');
  fastify.addContentTypeParser('application/json', { parseAs: 'buffer' }, async (_req: unknown, buf: Buffer) => {
    if (buf.length <= INLINE_BYTES) {
      try {
        return parseJsonBody(buf);
      } catch (err) {
        throw err instanceof TfError ? err : invalidJson();
      }
    }
    let out: ReturnType<typeof parseInWorker>;
    try {
      // Moved, not copied: the buffer is this request's alone.
      out = (await pool.run(Piscina.move(new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength)))) as ReturnType<typeof parseInWorker>;
    } catch {
      throw new TfError('service_unavailable', 'Too many large requests are being read right now. Please retry shortly.', { retryAfterMs: 1_000 });
    }
    if ('body' in out) return out.body;
    throw out.error.code === 'invalid_request' ? new TfError('invalid_request', out.error.message) : invalidJson();
  });
}

function invalidJson(): TfError {
  return new TfError(
    'invalid_json',
    "We could not parse the JSON body of your request. (HINT: This likely means you aren't using your HTTP library correctly. The API expects a JSON payload, but what was sent was not valid JSON.)",
  );
}
