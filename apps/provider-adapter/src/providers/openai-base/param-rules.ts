import { TfError } from '@tokenflow/contracts';

/**
 * Small, named rules for what a provider accepts, so each provider's quirks read as a list. Every rule either
 * clamps a value into the documented range, drops what the provider does not take, or refuses with our own clear
 * 400 — never a confusing upstream one.
 */
export type Body = Record<string, unknown>;

export function clamp(body: Body, field: string, min: number, max: number): void {
  const v = body[field];
  if (typeof v === 'number') body[field] = Math.min(max, Math.max(min, v));
}

export function drop(body: Body, ...fields: string[]): void {
  for (const f of fields) delete body[f];
}

/** `max_completion_tokens` is OpenAI's newer name; providers that only know `max_tokens` get that. */
export function maxTokensAsLegacy(body: Body, ceiling?: number): void {
  const v = body.max_completion_tokens ?? body.max_tokens;
  delete body.max_completion_tokens;
  if (typeof v === 'number') body.max_tokens = ceiling ? Math.min(v, ceiling) : v;
}

export function maxTokensAsCompletion(body: Body): void {
  const v = body.max_completion_tokens ?? body.max_tokens;
  delete body.max_tokens;
  if (typeof v === 'number') body.max_completion_tokens = v;
}

/** `n` above what the provider can produce is refused, not silently reduced: the client counts on n choices. */
export function limitChoices(body: Body, max: number, provider: string): void {
  const n = body.n;
  if (typeof n !== 'number' || n <= 1) {
    if (n === 1) delete body.n;
    return;
  }
  if (n > max) {
    throw new TfError('invalid_request', `${provider} returns at most ${max} choice${max === 1 ? '' : 's'} per request (n=${n}).`, { param: 'n' });
  }
}

/** Assistant turns from another model may carry `reasoning_content`; providers that reject it in input get it removed. */
export function stripReasoningFromHistory(body: Body): void {
  if (!Array.isArray(body.messages)) return;
  body.messages = (body.messages as Body[]).map((m) => {
    if (m.role !== 'assistant' || !('reasoning_content' in m)) return m;
    const { reasoning_content: _drop, ...rest } = m;
    return rest;
  });
}

/**
 * Anthropic-format clients send `thinking: {type: enabled | adaptive | disabled, budget_tokens}`. Providers whose
 * thinking is a switch get the switch: `{type: enabled | disabled}` (DeepSeek), or `enable_thinking` (Qwen).
 */
export function thinkingAsSwitch(body: Body, field: 'thinking' | 'enable_thinking'): void {
  const t = body.thinking;
  if (!t || typeof t !== 'object') return;
  const on = (t as { type?: unknown }).type !== 'disabled';
  delete body.thinking;
  if (field === 'thinking') body.thinking = { type: on ? 'enabled' : 'disabled' };
  else body.enable_thinking ??= on;
}
