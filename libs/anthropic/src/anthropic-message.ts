import type { ContentBlock, Message } from '@anthropic-ai/sdk/resources/messages';
import type { TokenUsage } from '@tokenflow/contracts';
import { estimateCompletionTokens } from '@tokenflow/openai';
import { toMessageId, toStopReason, toUsage } from './response-mapping';

export interface AnthropicMessageOptions {
  /** Our request id (default: the completion's id); `msg_` is put in front when missing. */
  id?: string;
  /** The model name the client asked for. */
  model: string;
  /** Used only if the completion carries no usage. */
  inputTokensEstimate?: number;
}

/**
 * A `chat.completion` (e.g. from `CompletionAssembler`) as the Anthropic `Message` a non-stream request returns:
 * blocks in the order a Claude answer has them — thinking, text, tool_use.
 */
export function toAnthropicMessage(completion: Record<string, unknown>, opts: AnthropicMessageOptions): Message {
  const choices = Array.isArray(completion.choices) ? (completion.choices as Record<string, unknown>[]) : [];
  const choice = choices.find((c) => Number(c.index ?? 0) === 0) ?? {};
  const m = (choice.message ?? {}) as Record<string, unknown>;
  const id = toMessageId(opts.id ?? String(completion.id ?? ''));
  const content: ContentBlock[] = [];
  let generated = '';
  if (typeof m.reasoning_content === 'string' && m.reasoning_content) {
    content.push({ type: 'thinking', thinking: m.reasoning_content, signature: '' });
    generated += m.reasoning_content;
  }
  const text = [m.content, m.refusal].filter((t): t is string => typeof t === 'string').join('');
  if (text) {
    content.push({ type: 'text', text, citations: null });
    generated += text;
  }
  const calls = Array.isArray(m.tool_calls) ? (m.tool_calls as Record<string, unknown>[]) : [];
  calls.forEach((call, i) => {
    const fn = (call.function ?? {}) as { name?: string; arguments?: string };
    const callId = typeof call.id === 'string' && call.id ? call.id : `toolu_${id.slice('msg_'.length)}_${i}`;
    content.push({ type: 'tool_use', id: callId, name: fn.name ?? '', input: parseInput(fn.arguments), caller: { type: 'direct' } });
    generated += fn.arguments ?? '';
  });
  const usage = (completion.usage ?? null) as TokenUsage | null;
  return {
    id,
    type: 'message',
    role: 'assistant',
    model: opts.model,
    content,
    stop_reason: toStopReason(choice.finish_reason as string | null | undefined, calls.length > 0),
    stop_sequence: null,
    stop_details: null,
    container: null,
    diagnostics: null,
    usage: toUsage(usage, { input: opts.inputTokensEstimate ?? 0, output: usage ? 0 : estimateCompletionTokens(generated) }),
  };
}

/**
 * Anthropic's `input` is always an object. Arguments that are not a JSON object (a truncated call, at
 * `max_tokens`) become `{}`: the client's schema check then reports the missing fields to the model.
 */
function parseInput(args: string | undefined): Record<string, unknown> {
  try {
    const v: unknown = JSON.parse(args || '{}');
    return v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}
