import { TfError } from '@tokenflow/contracts';
import { move } from 'piscina';
import { parseJsonBody } from './json-scan';

export type Parsed = { body: unknown } | { error: { code: 'invalid_request' | 'invalid_json'; message: string } };

/** Parses a large request body (already scanned) in a worker thread; errors come back as values (a TfError does not survive cloning). */
export default function parseInWorker({ bytes, length }: { bytes: Uint8Array; length: number }): Parsed {
  try {
    return { body: parseJsonBody(bytes.subarray(0, length)) };
  } catch (err) {
    if (err instanceof TfError) return { error: { code: 'invalid_request', message: err.message } };
    return { error: { code: 'invalid_json', message: (err as Error).message } };
  }
}

/** Encodes a large value for the bus; the bytes are moved back, not copied. */
export function encode(value: unknown): Uint8Array {
  return move(Buffer.from(JSON.stringify(value), 'utf8')) as unknown as Uint8Array;
}
