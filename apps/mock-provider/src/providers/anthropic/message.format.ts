import { createHash } from 'node:crypto';
import type { CompletionPlan, FinishReason } from '../../completion/completion-plan';
import { ARGUMENT_FRAGMENT_CHARS, fragments } from '../../completion/response-format';
import { eventFrame, type FrameRole, type SseEncoding, type SseFrame } from '../../stream/sse-frame';
import { ANTHROPIC_ERRORS } from './anthropic.dialect';

export const ANTHROPIC_SSE: SseEncoding = {
  malformed: 'event: content_block_delta\ndata: {"type":"content_block_delta",\n\n',
  error: () => ANTHROPIC_ERRORS.streamError(),
};

const STOP_REASONS: Record<FinishReason, string> = { stop: 'end_turn', length: 'max_tokens', tool_calls: 'tool_use' };

function stopReason(plan: CompletionPlan): string {
  return plan.stopSequence === undefined ? STOP_REASONS[plan.finishReason] : 'stop_sequence';
}

/** Cache reads are not part of Anthropic's `input_tokens`: the three input counts add up to the prompt. */
function usage(plan: CompletionPlan, outputTokens = plan.usage.completion_tokens) {
  const cached = plan.usage.prompt_tokens_details.cached_tokens;
  return {
    input_tokens: plan.usage.prompt_tokens - cached,
    cache_creation_input_tokens: 0,
    cache_read_input_tokens: cached,
    output_tokens: outputTokens,
  };
}

/** Opaque like the real one, but stable for the same thoughts. */
function signature(thinking: string): string {
  return createHash('sha256').update(thinking).digest('base64');
}

type Block =
  | { type: 'thinking'; thinking: string; signature: string }
  | { type: 'text'; text: string }
  | { type: 'tool_use'; id: string; name: string; input: unknown };

/** Thinking first, then the answer's text or its tool calls. */
function blocks(plan: CompletionPlan): Block[] {
  const thinking = plan.reasoning.join('');
  return [
    ...(plan.reasoning.length ? [{ type: 'thinking' as const, thinking, signature: signature(thinking) }] : []),
    ...(plan.content.length ? [{ type: 'text' as const, text: plan.content.join('') }] : []),
    ...plan.toolCalls.map((call) => ({ type: 'tool_use' as const, id: call.id, name: call.name, input: JSON.parse(call.arguments) as unknown })),
  ];
}

function message(plan: CompletionPlan, content: Block[], stop: { reason: string | null; sequence: string | null }) {
  return {
    id: plan.id,
    type: 'message',
    role: 'assistant',
    model: plan.model,
    content,
    stop_reason: stop.reason,
    stop_sequence: stop.sequence,
  };
}

/** The plain `message` body. */
export function buildMessage(plan: CompletionPlan, includeUsage: boolean) {
  return {
    ...message(plan, blocks(plan), { reason: stopReason(plan), sequence: plan.stopSequence ?? null }),
    ...(includeUsage ? { usage: { ...usage(plan), service_tier: 'standard' } } : {}),
  };
}

/** Where a block starts empty, and the deltas that fill it (one per token or argument fragment). */
function blockEvents(plan: CompletionPlan, block: Block): { start: unknown; deltas: { role: FrameRole; delta: unknown }[] } {
  if (block.type === 'thinking') {
    return {
      start: { type: 'thinking', thinking: '', signature: '' },
      deltas: [
        ...plan.reasoning.map((thinking) => ({ role: 'token' as const, delta: { type: 'thinking_delta', thinking } })),
        { role: 'tail', delta: { type: 'signature_delta', signature: block.signature } },
      ],
    };
  }
  if (block.type === 'text') {
    return { start: { type: 'text', text: '' }, deltas: plan.content.map((text) => ({ role: 'token', delta: { type: 'text_delta', text } })) };
  }
  const json = JSON.stringify(block.input);
  return {
    start: { type: 'tool_use', id: block.id, name: block.name, input: {} },
    deltas: fragments(json, ARGUMENT_FRAGMENT_CHARS).map((partial_json) => ({ role: 'token', delta: { type: 'input_json_delta', partial_json } })),
  };
}

/**
 * The event sequence of a stream: `message_start` (with the input tokens), `content_block_start`, `ping`, the
 * block's deltas, `content_block_stop` for each block, then `message_delta` (stop reason and the final output
 * tokens) and `message_stop`. No `[DONE]`.
 */
export function messageFrames(plan: CompletionPlan, includeUsage: boolean): SseFrame[] {
  // Like the real API, message_start reports the input and a token or so of output; message_delta has the total.
  const startUsage = includeUsage ? { usage: usage(plan, Math.min(1, plan.usage.completion_tokens)) } : {};
  const start = { type: 'message_start', message: { ...message(plan, [], { reason: null, sequence: null }), ...startUsage } };
  const ping = eventFrame('head', 'ping', { type: 'ping' });
  const frames: SseFrame[] = [eventFrame('head', 'message_start', start)];
  blocks(plan).forEach((block, index) => {
    const { start: contentBlock, deltas } = blockEvents(plan, block);
    frames.push(eventFrame('head', 'content_block_start', { type: 'content_block_start', index, content_block: contentBlock }));
    if (index === 0) frames.push(ping);
    for (const { role, delta } of deltas) frames.push(eventFrame(role, 'content_block_delta', { type: 'content_block_delta', index, delta }));
    frames.push(eventFrame('tail', 'content_block_stop', { type: 'content_block_stop', index }));
  });
  if (frames.length === 1) frames.push(ping);
  frames.push(
    eventFrame('tail', 'message_delta', {
      type: 'message_delta',
      delta: { stop_reason: stopReason(plan), stop_sequence: plan.stopSequence ?? null },
      ...(includeUsage ? { usage: usage(plan) } : {}),
    }),
    eventFrame('tail', 'message_stop', { type: 'message_stop' }),
  );
  return frames;
}
