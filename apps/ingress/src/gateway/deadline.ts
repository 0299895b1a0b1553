import { TfError } from '@tokenflow/contracts';

/** The request's overall deadline: the server default, or lower if the client asks via x-tokenflow-timeout-ms. */
export function requestDeadline(header: string | string[] | undefined, maxMs: number, now = Date.now()): number {
  if (header === undefined) return now + maxMs;
  const raw = Array.isArray(header) ? header[0] : header;
  const ms = Number(raw);
  if (!/^\d+$/.test(raw.trim()) || !Number.isSafeInteger(ms) || ms < 1) {
    throw new TfError('invalid_request', 'x-tokenflow-timeout-ms must be a positive integer number of milliseconds.', {
      param: 'x-tokenflow-timeout-ms',
    });
  }
  return now + Math.min(ms, maxMs);
}
