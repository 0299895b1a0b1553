import { TfError } from '@tokenflow/contracts';
import sjson from 'secure-json-parse';

/**
 * Objects and arrays one request body may hold. A legitimate body is far below it (2,048 messages with content
 * parts, 128 tools with their schemas: about 20,000); 700,000 tiny messages are refused after the first 50,000,
 * before the rest is even received, since building them costs a quarter of a second and hundreds of megabytes.
 */
export const MAX_JSON_CONTAINERS = 50_000;
/** Nesting deeper than any real request (JSON schemas nest a dozen levels); refused before the parser recurses. */
export const MAX_JSON_DEPTH = 128;

const QUOTE = 0x22;
const BACKSLASH = 0x5c;

/**
 * A linear pass over a JSON body's raw bytes as they arrive, before `JSON.parse`: counts objects and arrays outside
 * strings and tracks their depth, and reports the first limit crossed, so a hostile body is refused after the bytes
 * that broke the limit (the rest is never received). Inside strings it jumps from quote to backslash with `indexOf`,
 * so a body that is mostly a large image costs next to nothing. Malformed JSON is left for the parser to report.
 */
export class JsonScanner {
  private containers = 0;
  private depth = 0;
  private inString = false;
  /** The previous chunk ended on a backslash inside a string: this chunk's first byte is escaped. */
  private escapeNext = false;

  push(buf: Uint8Array): TfError | null {
    const n = buf.length;
    let i = 0;
    if (this.escapeNext && n > 0) {
      this.escapeNext = false;
      i = 1;
    }
    // Where the next quote and backslash are (-1: none left in this chunk), each searched again only once passed:
    // searching from every escape would rescan the chunk's tail once per backslash.
    let nextQuote = -2;
    let nextBackslash = -2;
    while (i < n) {
      if (this.inString) {
        if (nextQuote !== -1 && nextQuote < i) nextQuote = buf.indexOf(QUOTE, i);
        const quote = nextQuote;
        if (nextBackslash !== -1 && nextBackslash < i) nextBackslash = buf.indexOf(BACKSLASH, i);
        if (nextBackslash >= 0 && (quote < 0 || nextBackslash < quote)) {
          if (nextBackslash + 1 >= n) this.escapeNext = true;
          i = nextBackslash + 2;
          continue;
        }
        if (quote < 0) return null;
        this.inString = false;
        i = quote + 1;
        continue;
      }
      const c = buf[i++];
      if (c === QUOTE) {
        this.inString = true;
      } else if (c === 0x7b || c === 0x5b) {
        if (++this.containers > MAX_JSON_CONTAINERS) {
          return new TfError('invalid_request', `The request body holds more than ${MAX_JSON_CONTAINERS} JSON objects and arrays.`);
        }
        if (++this.depth > MAX_JSON_DEPTH) return new TfError('invalid_request', `The request body is nested more than ${MAX_JSON_DEPTH} levels deep.`);
      } else if (c === 0x7d || c === 0x5d) {
        this.depth--;
      }
    }
    return null;
  }
}

/** Scans a whole body at once (see `JsonScanner`). */
export function scanJsonBytes(buf: Uint8Array): TfError | null {
  return new JsonScanner().push(buf);
}

/** Parses a body that `JsonScanner` passed, as Fastify would (prototype-poisoning keys refused). */
export function parseJsonBody(buf: Uint8Array): unknown {
  const text = Buffer.from(buf.buffer, buf.byteOffset, buf.byteLength).toString('utf8');
  if (text.trim() === '') throw new SyntaxError('empty body');
  return sjson.parse(text, undefined, { protoAction: 'error', constructorAction: 'error' });
}
