import type { HoldReleaseEvent } from '@tokenflow/contracts';

/**
 * Ledger holds created before this time and still open are past their lifetime and the grace after it: if Redis no
 * longer has them either (it lost its data), nobody will ever release them, so the expiry job closes them as lost.
 */
export function lostHoldCutoff(nowMs: number, holdTtlMs: number, lostGraceMs: number): Date {
  return new Date(nowMs - holdTtlMs - lostGraceMs);
}

/**
 * The release of a lost hold, with the amount the ledger holds for it. Its msgId is its own (`lost:`), never
 * ingress's `release:` or billing's `freed:`, so JetStream's dedupe cannot drop it for an earlier release of the
 * same request that carried no amount.
 */
export function lostHoldRelease(h: { requestId: string; accountId: string; keyId: string | null; amountNano: bigint }): { event: HoldReleaseEvent; msgId: string } {
  return {
    event: { requestId: h.requestId, accountId: h.accountId, keyId: h.keyId ?? '', amountNano: h.amountNano.toString(), reason: 'lost' },
    msgId: `lost:${h.requestId}`,
  };
}
