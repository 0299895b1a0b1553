import { TfError, usdToNano } from '@tokenflow/contracts';

/** A non-negative USD decimal from the admin API, in nano-USD. */
export function parseUsd(value: string, param: string): bigint {
  const nano = usdToNano(value);
  if (nano === null) throw new TfError('invalid_request', `${param} must be a non-negative USD decimal string such as "10.00".`, { param });
  return nano;
}

/**
 * A refund or adjustment, signed for the customer: an adjustment may take money ("-0.05"), a refund only gives it,
 * and neither may be zero.
 */
export function adjustmentNano(amountUsd: string, kind: 'refund' | 'adjustment'): bigint {
  const negative = amountUsd.startsWith('-');
  const magnitude = parseUsd(negative ? amountUsd.slice(1) : amountUsd, 'amount_usd');
  if (magnitude === 0n || (negative && kind === 'refund')) {
    throw new TfError('invalid_request', 'amount_usd must be non-zero, and positive for a refund.', { param: 'amount_usd' });
  }
  return negative ? -magnitude : magnitude;
}
