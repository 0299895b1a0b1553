/**
 * What the balance scripts answer and store, read back in TypeScript (balance-scripts.lua.ts documents the codes).
 */
export type HoldResult =
  | { granted: true }
  | { granted: false; short: 'account' | 'key-budget'; remainingNano: bigint }
  | { cold: 'account' | 'key-budget' }
  | { abandoned: true }
  /** The ledger is unreachable and the account's unsettled spend would pass its limit; `roomNano` is what is left. */
  | { riskLimited: true; roomNano: bigint };

/** HOLD_LUA's reply → the hold's outcome; a refusal carries what the account or the key budget has left. */
export function holdResultOf(res: [number, string?]): HoldResult {
  switch (res[0]) {
    case 1:
      return { granted: true };
    case -1:
      return { cold: 'account' };
    case -2:
      return { cold: 'key-budget' };
    case -3:
      return { abandoned: true };
    case -4:
      return { riskLimited: true, roomNano: BigInt(res[1] ?? '0') };
    default:
      return { granted: false, short: res[0] === 2 ? 'key-budget' : 'account', remainingNano: BigInt(res[1] ?? '0') };
  }
}

/** An open hold's stored value, "<amount>|<1 if it counts against a key budget>" → the amount, exactly. */
export function heldAmountOf(value: string): bigint {
  return BigInt(value.slice(0, value.indexOf('|')));
}

/** A hold's member in the expiry index: enough to release it without looking anything up. */
export const holdMember = (accountId: string, requestId: string, keyId: string) => `${accountId}|${requestId}|${keyId}`;

export function parseHoldMember(m: string): { accountId: string; requestId: string; keyId: string } {
  const [accountId, requestId, keyId = ''] = m.split('|');
  return { accountId, requestId, keyId };
}
