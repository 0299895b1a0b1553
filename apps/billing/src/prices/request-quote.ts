import { type PriceQuote, type PricingTerms, TfError } from '@tokenflow/contracts';
import type { PriceVersion } from './prices.repository';
import { quoteOf } from './price-versions';

/**
 * The quote one request is held and billed at: the model's version in force, for what the request asks (its
 * `PricingTerms`). `service_tier: "priority"` takes the priority prices; every other tier the standard ones (`flex`
 * costs less upstream, but nothing reports which tier served, so it is held and billed at the higher, standard
 * price). Cache-write and audio prices are quoted only to requests that write caches or carry audio. A request the
 * price book cannot price for this model is refused with a 400 naming the parameter, never billed at a guess.
 */
export function requestQuote(v: PriceVersion, terms: PricingTerms | undefined, model: string): PriceQuote {
  const quote = terms?.serviceTier === 'priority' ? priorityQuote(v, model) : quoteOf(v);
  if (!terms) return quote;
  if (terms.cacheWrite && v.cacheWriteNanoPerToken != null) {
    quote.cacheWriteNanoPerToken = v.cacheWriteNanoPerToken.toString();
    if (terms.cacheWrite === '1h') {
      // The provider charges for writes, but this book does not say what an hour's write costs (Anthropic: 2× input).
      if (v.cacheWrite1hNanoPerToken == null) throw unpriced(`1-hour cache writes (cache_control ttl "1h")`, model, 'messages');
      quote.cacheWrite1hNanoPerToken = v.cacheWrite1hNanoPerToken.toString();
    }
  }
  if (terms.audioTokens) {
    if (v.audioInputNanoPerToken == null) throw unpriced('audio input (input_audio content parts)', model, 'messages');
    quote.audioInputNanoPerToken = v.audioInputNanoPerToken.toString();
  }
  if (terms.audioOutput) {
    if (v.audioOutputNanoPerToken == null) throw unpriced('audio output', model, 'modalities');
    quote.audioOutputNanoPerToken = v.audioOutputNanoPerToken.toString();
  }
  return quote;
}

function priorityQuote(v: PriceVersion, model: string): PriceQuote {
  if (v.priorityInputNanoPerToken == null || v.priorityOutputNanoPerToken == null) throw unpriced(`service_tier "priority"`, model, 'service_tier');
  const quote: PriceQuote = { inputNanoPerToken: v.priorityInputNanoPerToken.toString(), outputNanoPerToken: v.priorityOutputNanoPerToken.toString() };
  if (v.priorityCachedInputNanoPerToken != null) quote.cachedInputNanoPerToken = v.priorityCachedInputNanoPerToken.toString();
  return quote;
}

const unpriced = (what: string, model: string, param: string) =>
  new TfError('invalid_request', `The model '${model}' has no price for ${what}, so this request cannot be billed. Ask the operator to set one.`, { param });

/**
 * A request's maximum cost at its quote: every prompt token at the dearest price a prompt token can have (input, or a
 * cache write the request marks), audio input at the audio price, and the output limit at the output price (or the
 * audio output price, when the answer may be audio). Exact in nano-USD; negative counts count as zero.
 */
export function maxCostNano(promptTokens: number, maxOutputTokens: number, price: PriceQuote, audioTokens = 0): bigint {
  const promptPrice = maxOf(price.inputNanoPerToken, price.cacheWriteNanoPerToken, price.cacheWrite1hNanoPerToken);
  const outputPrice = maxOf(price.outputNanoPerToken, price.audioOutputNanoPerToken);
  const audioPrice = BigInt(price.audioInputNanoPerToken ?? price.inputNanoPerToken);
  const n = (x: number) => BigInt(Math.max(0, Math.ceil(x)));
  return n(promptTokens) * promptPrice + n(audioTokens) * audioPrice + n(maxOutputTokens) * outputPrice;
}

function maxOf(...prices: (string | undefined)[]): bigint {
  let max = 0n;
  for (const p of prices) if (p !== undefined && BigInt(p) > max) max = BigInt(p);
  return max;
}
