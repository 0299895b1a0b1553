import { TfError } from '@tokenflow/contracts';
import sjson from 'secure-json-parse';

/**
 * Objects and arrays one request body may hold. A legitimate body is far below it (4,096 messages with content
 * parts, 128 tools with their schemas: about 20,000); 700,000 tiny messages in 9 MB are refused before they are
 * parsed, since building them costs a quarter of a second and hundreds of megabytes.
 */
export const MAX_JSON_CONTAINERS = 50_000;
/** Nesting deeper than any real request (JSON schemas nest a dozen levels); refused before the parser recurses. */
export const MAX_JSON_DEPTH = 128;

/**
 * One linear pass over the raw bytes, before `JSON.parse`: counts objects and arrays outside strings and tracks
 * their depth, and stops at the first limit crossed (so refusing a hostile body costs at most the bytes up to that
 * point). Strings are skipped with `indexOf`, so a body that is mostly a large image costs next to nothing.
 */
export function scanJson(buf: Uint8Array): TfError | null {
  const n = buf.length;
  let containers = 0;
  let depth = 0;
  let i = 0;
  while (i < n) {
    const c = buf[i];
    if (c === 0x22) {
      i = stringEnd(buf, i + 1);
      continue;
    }
    if (c === 0x7b || c === 0x5b) {
      if (++containers > MAX_JSON_CONTAINERS) {
        return new TfError('invalid_request', `The request body holds more than ${MAX_JSON_CONTAINERS} JSON objects and arrays.`);
      }
      if (++depth > MAX_JSON_DEPTH) return new TfError('invalid_request', `The request body is nested more than ${MAX_JSON_DEPTH} levels deep.`);
    } else if (c === 0x7d || c === 0x5d) {
      depth--;
    }
    i++;
  }
  return null;
}

/** The index after the quote that closes the string whose content starts at `from` (a quote after an odd run of backslashes is escaped). */
function stringEnd(buf: Uint8Array, from: number): number {
  let j = from;
  for (;;) {
    j = buf.indexOf(0x22, j);
    if (j < 0) return buf.length;
    let backslashes = 0;
    for (let k = j - 1; k >= from && buf[k] === 0x5c; k--) backslashes++;
    if (backslashes % 2 === 0) return j + 1;
    j++;
  }
}

/** Scan, then parse as Fastify would (prototype-poisoning keys refused). Throws the 400 to send. */
export function parseJsonBody(buf: Uint8Array): unknown {
  const refused = scanJson(buf);
  if (refused) throw refused;
  const text = Buffer.from(buf.buffer, buf.byteOffset, buf.byteLength).toString('utf8');
  if (text.trim() === '') throw new SyntaxError('empty body');
  return sjson.parse(text, undefined, { protoAction: 'error', constructorAction: 'error' });
}
