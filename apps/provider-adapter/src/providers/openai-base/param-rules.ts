import { TfError } from '@tokenflow/contracts';
import { jsonSchemaOf, withJsonInstruction } from '../json-instruction';

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

/**
 * For providers whose JSON mode is `json_object` only (DeepSeek, Moonshot document no `json_schema`): the schema is
 * sent as a system instruction and the mode as `json_object`, so the answer is valid JSON and a real model can follow
 * the schema — best effort, nothing upstream enforces it (decision 0024).
 */
export function jsonSchemaAsJsonObject(body: Body): void {
  const format = body.response_format as { type?: unknown } | undefined;
  if (format?.type !== 'json_schema') return;
  const schema = jsonSchemaOf(format);
  body.response_format = { type: 'json_object' };
  if (Array.isArray(body.messages)) body.messages = withJsonInstruction(body.messages as Body[], schema);
}
