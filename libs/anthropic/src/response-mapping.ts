import type { MessageDeltaUsage, StopReason, Usage } from '@anthropic-ai/sdk/resources/messages';
import type { TokenUsage } from '@tokenflow/contracts';

/** Anthropic ids start with `msg_`; SDK users and logs recognise them by it. Our own request id follows. */
export function toMessageId(id: string): string {
  return id.startsWith('msg_') ? id : `msg_${id.replace(/^chatcmpl-/, '')}`;
}

/**
 * OpenAI `finish_reason` → Anthropic `stop_reason`. Anthropic promises `tool_use` whenever the turn ends on tool
 * calls, which clients (Claude Code) rely on to run them; some providers say `stop` there, so tool use wins.
 * OpenAI does not say which stop sequence matched, so `stop_sequence` is never reported.
 */
export function toStopReason(finishReason: string | null | undefined, usedTools: boolean): StopReason {
  switch (finishReason) {
    case 'length':
      return 'max_tokens';
    case 'tool_calls':
    case 'function_call':
      return 'tool_use';
    case 'content_filter':
      return 'refusal';
    default:
      return usedTools ? 'tool_use' : 'end_turn';
  }
}

interface Counts {
  input_tokens: number;
  output_tokens: number;
  cache_read_input_tokens: number;
  output_tokens_details: { thinking_tokens: number } | null;
}

/**
 * OpenAI's `prompt_tokens` includes cached tokens; Anthropic's `input_tokens` does not (total input is
 * input + cache_creation + cache_read), so cached tokens move to `cache_read_input_tokens`. Without usage the
 * estimates stand in.
 */
function counts(usage: TokenUsage | null | undefined, estimate: { input: number; output: number }): Counts {
  if (!usage) return { input_tokens: estimate.input, output_tokens: estimate.output, cache_read_input_tokens: 0, output_tokens_details: null };
  const cached = Number(usage.prompt_tokens_details?.cached_tokens ?? 0) || 0;
  const reasoning = usage.completion_tokens_details?.reasoning_tokens;
  return {
    input_tokens: Math.max(0, (Number(usage.prompt_tokens) || 0) - cached),
    output_tokens: Number(usage.completion_tokens) || 0,
    cache_read_input_tokens: cached,
    output_tokens_details: typeof reasoning === 'number' ? { thinking_tokens: reasoning } : null,
  };
}

/** `usage` of a Message (non-stream, and `message_start` where only the input estimate is known). */
export function toUsage(usage: TokenUsage | null | undefined, estimate: { input: number; output: number }): Usage {
  return {
    ...counts(usage, estimate),
    // No provider behind us bills cache writes separately.
    cache_creation_input_tokens: 0,
    cache_creation: null,
    server_tool_use: null,
    service_tier: null,
    inference_geo: null,
    speed: null,
  };
}

/** `usage` of the closing `message_delta`: cumulative totals, as the SDK overwrites rather than adds. */
export function toDeltaUsage(usage: TokenUsage | null | undefined, estimate: { input: number; output: number }): MessageDeltaUsage {
  return { ...counts(usage, estimate), cache_creation_input_tokens: 0, server_tool_use: null };
}
