import { arrayCap, type LimitViolation, propertyCap, REQUEST_LIMITS as L } from '../request-limits';

export const RESPONSES_LIMITS = {
  /** Input items in one request; chat's message cap, since each item becomes at most one message. */
  inputItems: L.messages,
} as const;

/**
 * Responses API caps on the raw body, before zod: lengths only, O(items) once `input` is known to be within its
 * cap, as for chat (chat-request.limits.ts).
 */
export function responsesRequestLimits(body: Record<string, unknown>): LimitViolation | null {
  return (
    arrayCap(body.input, ['input'], RESPONSES_LIMITS.inputItems) ??
    itemLimits(body.input) ??
    arrayCap(body.tools, ['tools'], L.tools) ??
    propertyCap(body.metadata, ['metadata'], L.metadataKeys)
  );
}

function itemLimits(input: unknown): LimitViolation | null {
  if (!Array.isArray(input)) return null;
  for (let i = 0; i < input.length; i++) {
    const it: unknown = input[i];
    if (it === null || typeof it !== 'object') continue;
    const { content, output } = it as Record<string, unknown>;
    const violation = arrayCap(content, ['input', i, 'content'], L.contentParts) ?? arrayCap(output, ['input', i, 'output'], L.contentParts);
    if (violation) return violation;
  }
  return null;
}
