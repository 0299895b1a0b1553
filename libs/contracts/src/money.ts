import type { TokenUsage } from './adapter.contract';
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

/** Usage counts as priced: the counts priced apart (cache writes, audio) are parts of the prompt and output counts. */
export interface PricedUsage {
  promptTokens: number;
  cachedTokens: number;
  completionTokens: number;
  cacheWriteTokens?: number;
  cacheWrite1hTokens?: number;
  audioPromptTokens?: number;
  audioCompletionTokens?: number;
}

/**
 * What usage costs at a quote: uncached prompt tokens at the input price, cached ones at the cached-input price
 * (when the price book has one), cache writes and audio at their prices when the quote has them, output tokens at
 * the output price (audio output at its own). Reasoning tokens are part of the output. Each part is clamped into
 * what is left of its total, so inconsistent counts can never bill a token twice.
 */
export function usageCostNano(u: PricedUsage, price: PriceQuote): bigint {
  const prompt = Math.max(0, u.promptTokens);
  const cached = clampTo(u.cachedTokens, prompt);
  const writes = clampTo(u.cacheWriteTokens, prompt - cached);
  const writes1h = clampTo(u.cacheWrite1hTokens, writes);
  const audioIn = clampTo(u.audioPromptTokens, prompt - cached - writes);
  const completion = Math.max(0, u.completionTokens);
  const audioOut = clampTo(u.audioCompletionTokens, completion);
  const input = BigInt(price.inputNanoPerToken);
  const write5m = BigInt(price.cacheWriteNanoPerToken ?? price.inputNanoPerToken);
  const output = BigInt(price.outputNanoPerToken);
  return (
    BigInt(prompt - cached - writes - audioIn) * input +
    BigInt(cached) * BigInt(price.cachedInputNanoPerToken ?? price.inputNanoPerToken) +
    BigInt(writes - writes1h) * write5m +
    BigInt(writes1h) * (price.cacheWrite1hNanoPerToken !== undefined ? BigInt(price.cacheWrite1hNanoPerToken) : write5m) +
    BigInt(audioIn) * BigInt(price.audioInputNanoPerToken ?? price.inputNanoPerToken) +
    BigInt(completion - audioOut) * output +
    BigInt(audioOut) * BigInt(price.audioOutputNanoPerToken ?? price.outputNanoPerToken)
  );
}

/**
 * The priced counts of an OpenAI-shape usage, as the adapter reports it: cache writes (`cache_write_tokens`, of which
 * `cache_write_1h_tokens`) and audio (`audio_tokens`) in `prompt_tokens_details` and `completion_tokens_details`. The
 * one mapping from usage to what the ledger bills, so a cost shown to the client is the cost charged. Counts that are
 * not positive finite numbers are absent.
 */
export function pricedUsage(usage: TokenUsage): PricedUsage {
  const prompt = usage.prompt_tokens_details;
  const completion = usage.completion_tokens_details;
  const u: PricedUsage = {
    promptTokens: count(usage.prompt_tokens) ?? 0,
    cachedTokens: count(prompt?.cached_tokens) ?? 0,
    completionTokens: count(usage.completion_tokens) ?? 0,
  };
  const writes = count(prompt?.cache_write_tokens);
  if (writes !== undefined) u.cacheWriteTokens = writes;
  const writes1h = count(prompt?.cache_write_1h_tokens);
  if (writes1h !== undefined) u.cacheWrite1hTokens = writes1h;
  const audioIn = count(prompt?.audio_tokens);
  if (audioIn !== undefined) u.audioPromptTokens = audioIn;
  const audioOut = count(completion?.audio_tokens);
  if (audioOut !== undefined) u.audioCompletionTokens = audioOut;
  return u;
}

const count = (v: unknown): number | undefined => (typeof v === 'number' && Number.isFinite(v) && v > 0 ? v : undefined);

const clampTo = (n: number | undefined, max: number): number => Math.max(0, Math.min(n ?? 0, max));
