import type { PriceQuote } from './billing.contract';

/** Money is integer nano-USD (1e-9 USD) everywhere inside; USD decimal strings only at the API edge. */
export const NANO_PER_USD = 1_000_000_000n;

const USD_PATTERN = /^\d{1,12}(\.\d{1,9})?$/;

/** "10.5" → 10_500_000_000n. Returns null for anything that is not a non-negative decimal with ≤ 9 places. */
export function usdToNano(usd: string): bigint | null {
  if (!USD_PATTERN.test(usd)) return null;
  const [whole, frac = ''] = usd.split('.');
  return BigInt(whole) * NANO_PER_USD + BigInt(frac.padEnd(9, '0'));
}

/** 10_500_000_000n → "10.50": at least two decimals, no trailing zeros beyond them. */
export function nanoToUsd(nano: bigint): string {
  const negative = nano < 0n;
  const abs = negative ? -nano : nano;
  const whole = abs / NANO_PER_USD;
  let frac = (abs % NANO_PER_USD).toString().padStart(9, '0').replace(/0+$/, '');
  if (frac.length < 2) frac = frac.padEnd(2, '0');
  return `${negative ? '-' : ''}${whole}.${frac}`;
}

/** USD per 1M tokens → nano-USD per token: $0.14/1M = 140 nano-USD per token (exact for every seed price). */
export function perMillionUsdToNanoPerToken(usdPerMillion: string): bigint {
  const nano = usdToNano(usdPerMillion);
  if (nano === null) throw new Error(`invalid price ${usdPerMillion}`);
  return nano / 1_000_000n;
}

/**
 * What usage costs at a quote: uncached prompt tokens at the input price, cached ones at the cached-input price
 * (when the price book has one), output tokens at the output price. Reasoning tokens are part of the output.
 */
export function usageCostNano(
  u: { promptTokens: number; cachedTokens: number; completionTokens: number },
  price: PriceQuote,
): bigint {
  const cached = BigInt(Math.max(0, Math.min(u.cachedTokens, u.promptTokens)));
  const cachedPrice = BigInt(price.cachedInputNanoPerToken ?? price.inputNanoPerToken);
  return (
    (BigInt(u.promptTokens) - cached) * BigInt(price.inputNanoPerToken) +
    cached * cachedPrice +
    BigInt(u.completionTokens) * BigInt(price.outputNanoPerToken)
  );
}
