import { arrayCap, type LimitViolation, propertyCap, REQUEST_LIMITS as L } from './request-limits';

/**
 * Chat Completions caps on the raw body, before zod: lengths only, so the cost is O(1) per field and O(messages)
 * once `messages` itself is known to be within its cap. Types are zod's business; anything unexpected is skipped.
 */
export function chatRequestLimits(body: Record<string, unknown>): LimitViolation | null {
  return (
    arrayCap(body.messages, ['messages'], L.messages) ??
    messageLimits(body.messages) ??
    arrayCap(body.tools, ['tools'], L.tools) ??
    // The legacy `functions` list is OpenAI's `tools` by another name.
    arrayCap(body.functions, ['functions'], L.tools) ??
    arrayCap(body.stop, ['stop'], L.stop) ??
    propertyCap(body.logit_bias, ['logit_bias'], L.logitBias) ??
    propertyCap(body.metadata, ['metadata'], L.metadataKeys)
  );
}

function messageLimits(messages: unknown): LimitViolation | null {
  if (!Array.isArray(messages)) return null;
  for (let i = 0; i < messages.length; i++) {
    const m: unknown = messages[i];
    if (m === null || typeof m !== 'object') continue;
    const { content, tool_calls } = m as Record<string, unknown>;
    const violation = arrayCap(content, ['messages', i, 'content'], L.contentParts) ?? arrayCap(tool_calls, ['messages', i, 'tool_calls'], L.toolCalls);
    if (violation) return violation;
  }
  return null;
}
