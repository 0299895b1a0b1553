import type { PriceQuote } from '@tokenflow/contracts';
import type { PriceVersion } from './prices.repository';

/** Every version of every model's price, newest first per model. */
export function indexByModel(versions: PriceVersion[]): Map<string, PriceVersion[]> {
  const map = new Map<string, PriceVersion[]>();
  for (const v of versions) {
    const list = map.get(v.model) ?? [];
    list.push(v);
    map.set(v.model, list);
  }
  for (const list of map.values()) list.sort((a, b) => b.effectiveFrom.getTime() - a.effectiveFrom.getTime());
  return map;
}

/**
 * The version in force at `at` (the newest that took effect at or before it), or null when none had yet: a
 * request is priced at the version in force when it started, and a scheduled change applies only from its time.
 */
export function versionAt(newestFirst: PriceVersion[] | undefined, at: Date): PriceVersion | null {
  return newestFirst?.find((v) => v.effectiveFrom.getTime() <= at.getTime()) ?? null;
}

/** The quote a request carries: decimal strings, the cached-input price only when the model has one. */
export function quoteOf(v: PriceVersion): PriceQuote {
  const quote: PriceQuote = { inputNanoPerToken: v.inputNanoPerToken.toString(), outputNanoPerToken: v.outputNanoPerToken.toString() };
  if (v.cachedInputNanoPerToken !== null) quote.cachedInputNanoPerToken = v.cachedInputNanoPerToken.toString();
  return quote;
}
