import type { Bucket } from './buckets';

/** A script call: its KEYS and ARGV. */
export interface ScriptCall {
  keys: string[];
  args: (string | number)[];
}

/** A concurrency slot's lease: the request's own (rounded up), never longer than the configured maximum. */
export function leaseMsFor(asked: number | undefined, maxMs: number): number {
  return asked && asked > 0 ? Math.min(Math.ceil(asked), maxMs) : maxMs;
}

/**
 * ACQUIRE_LUA's call: the reservation then one key per bucket; the request id, the token estimate (whole tokens,
 * never negative), the lease, then kind and limit per bucket.
 */
export function acquireCall(reservation: string, buckets: Bucket[], requestId: string, estimatedTokens: number, leaseMs: number): ScriptCall {
  return {
    keys: [reservation, ...buckets.map((b) => b.key)],
    args: [requestId, Math.max(0, Math.ceil(estimatedTokens)), leaseMs, ...buckets.flatMap((b) => [b.kind, b.limit])],
  };
}

/**
 * SETTLE_LUA's call for a reservation as stored (`est`, `tok` and `conc` JSON lists), or null when there is
 * nothing to do: never admitted through us (no limits, or Redis was away) or long expired, or nothing of what this
 * settle touches was taken. `actual`: the tokens used (-1 refunds the whole estimate), null to leave tokens alone;
 * `freeSlots`: release the concurrency slots too.
 */
export function settleCall(
  resKey: string,
  reservation: Record<string, string>,
  requestId: string,
  eventId: string,
  actual: number | null,
  freeSlots: boolean,
): ScriptCall | null {
  if (!reservation.est) return null;
  const tok = actual === null ? [] : keyList(reservation.tok);
  const conc = freeSlots ? keyList(reservation.conc) : [];
  if (tok.length === 0 && conc.length === 0) return null;
  return { keys: [resKey, ...tok, ...conc], args: [requestId, eventId, actual ?? 0, tok.length] };
}

function keyList(stored: string | undefined): string[] {
  return stored ? (JSON.parse(stored) as string[]) : [];
}
