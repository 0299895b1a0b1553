import { TfError } from '@tokenflow/contracts';
import { limitError, REQUEST_LIMITS, scanJson } from '@tokenflow/openai';
import { move } from 'piscina';
import { parseJsonBody } from './json-scan';

export type Parsed = { body: unknown } | { error: { code: 'invalid_request' | 'invalid_json'; message: string; param?: string | null } };

/**
 * Refused here rather than copied back to the event loop only to be refused there: a string past the per-string cap
 * (image and file payloads aside, which the body limit bounds). Depth and size were bounded by the byte scan.
 */
const WORKER_LIMITS = { depth: Number.MAX_SAFE_INTEGER, values: Number.MAX_SAFE_INTEGER, stringLength: REQUEST_LIMITS.stringLength };

/** Parses a large request body (already scanned) in a worker thread; errors come back as values (a TfError does not survive cloning). */
export default function parseInWorker({ bytes, length }: { bytes: Uint8Array; length: number }): Parsed {
  try {
    const body = parseJsonBody(bytes.subarray(0, length));
    const violation = scanJson(body, WORKER_LIMITS);
    if (violation) {
      const err = limitError(violation);
      return { error: { code: 'invalid_request', message: err.message, param: err.param } };
    }
    return { body };
  } catch (err) {
    if (err instanceof TfError) return { error: { code: 'invalid_request', message: err.message } };
    return { error: { code: 'invalid_json', message: (err as Error).message } };
  }
}

/** Encodes a large value for the bus; the bytes are moved back, not copied. */
export function encode(value: unknown): Uint8Array {
  return move(Buffer.from(JSON.stringify(value), 'utf8')) as unknown as Uint8Array;
}

/** Parses trusted JSON (a stored response's); the value is copied back. */
export function decode(bytes: Uint8Array): unknown {
  return JSON.parse(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8'));
}
