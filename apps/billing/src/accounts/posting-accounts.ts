export type AccountMoveKind = 'top_up' | 'refund' | 'adjustment';

/**
 * The two sides of a customer's money move in the double-entry ledger. Top-ups come from funding, refunds from
 * revenue (what usage earned), adjustments from their own account; `amountNano` is signed for the customer, so a
 * negative one flows back to the house.
 */
export function postingAccounts(kind: AccountMoveKind, accountId: string, amountNano: bigint): { debit: string; credit: string } {
  const house = kind === 'top_up' ? 'system:funding' : kind === 'refund' ? 'system:revenue' : 'system:adjustments';
  const customer = `account:${accountId}`;
  return amountNano >= 0n ? { debit: house, credit: customer } : { debit: customer, credit: house };
}
