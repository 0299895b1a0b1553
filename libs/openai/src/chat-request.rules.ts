import type { z } from 'zod';
import { REQUEST_LIMITS as L, stringTooLongMessage } from './request-limits';
import { EXACT_MESSAGE } from './validate';

/** The fields the cross-field rules read, as the schema has parsed them. */
interface ChatRequestFields {
  stream?: boolean | null;
  stream_options?: unknown;
  tools?: readonly { function: { name: string } }[] | null;
  tool_choice?: string | { function: { name: string } } | null;
  messages: readonly { role: string; tool_call_id?: unknown; tool_calls?: unknown }[];
}

/**
 * Rules OpenAI enforces across fields, with OpenAI's own messages (see chat-request.spec.ts). zod runs them only
 * once every field is well-typed, and the first broken rule is the one reported.
 */
export function checkChatRequest(req: ChatRequestFields, ctx: z.RefinementCtx): void {
  if (req.stream_options != null && req.stream !== true) {
    return fail(ctx, ['stream_options'], "The 'stream_options' parameter is only allowed when 'stream' is enabled.");
  }
  const choice = req.tool_choice;
  const named = typeof choice === 'object' && choice !== null ? choice.function.name : null;
  if ((choice === 'required' || named !== null) && !req.tools?.length) {
    return fail(ctx, ['tool_choice'], "Invalid value for 'tool_choice': 'tool_choice' is only allowed when 'tools' are specified.");
  }
  if (named !== null && !req.tools?.some((t) => t.function.name === named)) {
    return fail(ctx, ['tool_choice'], `Invalid value for 'tool_choice': no function named '${named}' is among the 'tools'.`);
  }
  const unanswered = unansweredToolMessage(req.messages);
  if (unanswered !== -1) {
    return fail(ctx, ['messages', unanswered, 'role'], "Invalid parameter: messages with role 'tool' must be a response to a preceeding message with 'tool_calls'.");
  }
}

/** The index of the first `tool` message whose `tool_call_id` no earlier assistant message called, or -1. */
function unansweredToolMessage(messages: ChatRequestFields['messages']): number {
  const called = new Set<unknown>();
  for (let i = 0; i < messages.length; i++) {
    const m = messages[i];
    if (m.role === 'assistant' && Array.isArray(m.tool_calls)) for (const call of m.tool_calls as { id: unknown }[]) called.add(call.id);
    if (m.role === 'tool' && !called.has(m.tool_call_id)) return i;
  }
  return -1;
}

/** `logit_bias`: token ids (non-negative integers, as strings) to a bias within [-100, 100]. */
export function checkLogitBias(bias: Record<string, number>, ctx: z.RefinementCtx): void {
  for (const [token, value] of Object.entries(bias)) {
    if (!/^\d+$/.test(token)) return fail(ctx, [], `Invalid key in 'logit_bias': ${token}. You should only be submitting non-negative integers.`);
    if (value < -100 || value > 100) {
      return fail(ctx, [], `Invalid value for 'logit_bias': the bias for token ${token} is ${value}; expected a number from -100 to 100.`);
    }
  }
}

/** `metadata`: the key count is a preflight cap; key and value lengths are checked here. */
export function checkMetadata(metadata: Record<string, string>, ctx: z.RefinementCtx): void {
  for (const [key, value] of Object.entries(metadata)) {
    if (key.length > L.metadataKeyLength) {
      return fail(ctx, [], `Invalid 'metadata': key too long. Expected a key with maximum length ${L.metadataKeyLength}, but got a key with length ${key.length} instead.`);
    }
    if (value.length > L.metadataValueLength) return fail(ctx, [key], stringTooLongMessage(`metadata.${key}`, L.metadataValueLength, value.length));
  }
}

function fail(ctx: z.RefinementCtx, path: (string | number)[], message: string): void {
  ctx.addIssue({ code: 'custom', path, message, params: EXACT_MESSAGE });
}
