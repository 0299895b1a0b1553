import { arrayCap, type LimitViolation, REQUEST_LIMITS } from '@tokenflow/openai';

/**
 * `/v1/messages` caps, checked on the raw body before zod (see REQUEST_LIMITS in @tokenflow/openai for why). The
 * body becomes an OpenAI Chat Completions request, so OpenAI's caps apply where they would otherwise silently lose
 * something (`stop_sequences`); the turn and tool counts are Anthropic's own, looser than OpenAI's.
 */
export const ANTHROPIC_REQUEST_LIMITS = {
  /**
   * Anthropic takes up to 100,000 messages; long Claude Code sessions (a turn per tool call, 1M-token contexts) pass
   * OpenAI's 2,048. 10,000 keeps zod's work within tens of milliseconds.
   */
  messages: 10_000,
  /** Blocks in one turn's `content`, and in `system`: as OpenAI content parts. */
  contentBlocks: REQUEST_LIMITS.contentParts,
  /** Anthropic documents no cap, and Claude Code with several MCP servers passes OpenAI's 128. */
  tools: 1024,
  /** OpenAI's `stop` takes at most 4; more would be silently lost, so refused. */
  stopSequences: REQUEST_LIMITS.stop,
  /** Anthropic's `metadata.user_id`: at most 256 characters. */
  userId: 256,
} as const;

const L = ANTHROPIC_REQUEST_LIMITS;

/** The first cap a `/v1/messages` (or count_tokens) body breaks: lengths only, O(messages). */
export function messagesRequestLimits(body: Record<string, unknown>): LimitViolation | null {
  return (
    arrayCap(body.messages, ['messages'], L.messages) ??
    turnLimits(body.messages) ??
    arrayCap(body.system, ['system'], L.contentBlocks) ??
    arrayCap(body.tools, ['tools'], L.tools) ??
    arrayCap(body.stop_sequences, ['stop_sequences'], L.stopSequences)
  );
}

function turnLimits(messages: unknown): LimitViolation | null {
  if (!Array.isArray(messages)) return null;
  for (let i = 0; i < messages.length; i++) {
    const content: unknown = (messages[i] as { content?: unknown } | null)?.content;
    const violation = arrayCap(content, ['messages', i, 'content'], L.contentBlocks);
    if (violation) return violation;
  }
  return null;
}
