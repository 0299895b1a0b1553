import type { TokenUsage } from '@tokenflow/contracts';

type Raw = Record<string, unknown>;

const count = (v: unknown): number | undefined => (typeof v === 'number' && Number.isFinite(v) && v >= 0 ? Math.round(v) : undefined);
const obj = (v: unknown): Raw | undefined => (v && typeof v === 'object' ? (v as Raw) : undefined);

/**
 * Every OpenAI-compatible provider's usage → one shape: prompt/completion/total plus cached input
 * (`prompt_tokens_details.cached_tokens`) and reasoning tokens (`completion_tokens_details.reasoning_tokens`).
 * Where providers put those differs: OpenAI and DashScope in the details, DeepSeek in `prompt_cache_hit_tokens`,
 * Moonshot in a top-level `cached_tokens`. Anything else they add is dropped, so clients see OpenAI's shape only.
 */
export function normalizeUsage(raw: unknown): TokenUsage | undefined {
  const u = obj(raw);
  if (!u) return undefined;
  const prompt = count(u.prompt_tokens);
  const completion = count(u.completion_tokens);
  if (prompt === undefined || completion === undefined) return undefined;
  const out: TokenUsage = { prompt_tokens: prompt, completion_tokens: completion, total_tokens: prompt + completion };
  const cached = count(obj(u.prompt_tokens_details)?.cached_tokens) ?? count(u.prompt_cache_hit_tokens) ?? count(u.cached_tokens);
  if (cached !== undefined) out.prompt_tokens_details = { cached_tokens: Math.min(cached, prompt) };
  const reasoning = count(obj(u.completion_tokens_details)?.reasoning_tokens) ?? count(u.reasoning_tokens);
  if (reasoning !== undefined) out.completion_tokens_details = { reasoning_tokens: Math.min(reasoning, completion) };
  return out;
}
