import type { TokenUsage } from '@tokenflow/contracts';

/** Anthropic's counters as they accumulate over a stream (message_start, then message_delta). */
export interface AnthropicUsage {
  input_tokens?: number;
  cache_read_input_tokens?: number;
  cache_creation_input_tokens?: number;
  output_tokens?: number;
  thinking_tokens?: number;
  /** Of the cache writes, those kept for an hour (`cache_creation.ephemeral_1h_input_tokens`): dearer than 5-minute ones. */
  cache_write_1h_tokens?: number;
}

const COUNTERS = ['input_tokens', 'cache_read_input_tokens', 'cache_creation_input_tokens', 'output_tokens'] as const;

/**
 * Folds one event's `usage` into what is known. message_delta's counts are cumulative and newer API versions repeat
 * the input and cache counts there, so a present number replaces the earlier one; a missing or null one does not.
 */
export function mergeUsage(known: AnthropicUsage, raw: unknown): AnthropicUsage {
  if (!raw || typeof raw !== 'object') return known;
  const u = raw as Record<string, unknown>;
  const next: AnthropicUsage = { ...known };
  for (const key of COUNTERS) if (isCount(u[key])) next[key] = u[key];
  const thinking = (u.output_tokens_details as Record<string, unknown> | null | undefined)?.thinking_tokens;
  if (isCount(thinking)) next.thinking_tokens = thinking;
  const oneHour = (u.cache_creation as Record<string, unknown> | null | undefined)?.ephemeral_1h_input_tokens;
  if (isCount(oneHour)) next.cache_write_1h_tokens = oneHour;
  return next;
}

/**
 * OpenAI's shape: Anthropic's `input_tokens` excludes cached input, so the prompt is all three input counters
 * (cache reads are also `cached_tokens`, billed as such). Cache writes, which Anthropic charges above plain input,
 * are named in `prompt_tokens_details` too (`cache_write_tokens`, of which `cache_write_1h_tokens`), so billing
 * prices them at the price book's cache-write prices.
 */
export function toTokenUsage(u: AnthropicUsage): TokenUsage {
  const cacheRead = u.cache_read_input_tokens ?? 0;
  const cacheWrite = u.cache_creation_input_tokens ?? 0;
  const prompt = (u.input_tokens ?? 0) + cacheRead + cacheWrite;
  const completion = u.output_tokens ?? 0;
  const usage: TokenUsage = {
    prompt_tokens: prompt,
    completion_tokens: completion,
    total_tokens: prompt + completion,
    prompt_tokens_details: { cached_tokens: cacheRead },
  };
  if (cacheWrite > 0) {
    usage.prompt_tokens_details!.cache_write_tokens = cacheWrite;
    if (u.cache_write_1h_tokens) usage.prompt_tokens_details!.cache_write_1h_tokens = Math.min(u.cache_write_1h_tokens, cacheWrite);
  }
  if (u.thinking_tokens !== undefined) usage.completion_tokens_details = { reasoning_tokens: u.thinking_tokens };
  return usage;
}

const isCount = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v) && v >= 0;
