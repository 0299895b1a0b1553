import { TfError } from '@tokenflow/contracts';
import { parseJsonBody } from './json-scan';

/** Parses a large request body in a worker thread; errors come back as values (a TfError does not survive cloning). */
export default function parseInWorker(buf: Uint8Array): { body: unknown } | { error: { code: 'invalid_request' | 'invalid_json'; message: string } } {
  try {
    return { body: parseJsonBody(buf) };
  } catch (err) {
    if (err instanceof TfError) return { error: { code: 'invalid_request', message: err.message } };
    return { error: { code: 'invalid_json', message: (err as Error).message } };
  }
}
