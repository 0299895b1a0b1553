import type { TokenUsage } from '@tokenflow/contracts';
import type { ResponsesRequest } from './responses-request.schema';
import type { ResponseIds } from './response-ids';

export type ResponseItemJson = Record<string, unknown> & { type: string; id: string };

/** What every Response object of one request shares: ids, time, the model that served it and the echoed request. */
export interface ResponseMeta {
  ids: ResponseIds;
  /** Unix seconds. */
  createdAt: number;
  /** The model that answers (`auto` resolved), once known. */
  model: string;
  request: ResponsesRequest;
}

export type ResponseStatus = 'in_progress' | 'completed' | 'incomplete' | 'failed';

/** Chat's `finish_reason` → the Response's status and why it is incomplete. */
export function statusOf(finishReason: string | null): { status: ResponseStatus; incomplete_details: { reason: string } | null } {
  if (finishReason === 'length') return { status: 'incomplete', incomplete_details: { reason: 'max_output_tokens' } };
  if (finishReason === 'content_filter') return { status: 'incomplete', incomplete_details: { reason: 'content_filter' } };
  return { status: 'completed', incomplete_details: null };
}

/** Chat usage → the Responses API's names, details always present (the SDKs read them without checks). */
export function responseUsage(usage: TokenUsage | null): Record<string, unknown> | null {
  if (!usage) return null;
  return {
    input_tokens: usage.prompt_tokens,
    input_tokens_details: { cached_tokens: usage.prompt_tokens_details?.cached_tokens ?? 0, cache_write_tokens: cacheWrites(usage) },
    output_tokens: usage.completion_tokens,
    output_tokens_details: { reasoning_tokens: usage.completion_tokens_details?.reasoning_tokens ?? 0 },
    total_tokens: usage.total_tokens,
  };
}

/** Prompt tokens written to a provider's cache (Anthropic's 5-minute and 1-hour writes), as OpenAI's spec names them. */
function cacheWrites(usage: TokenUsage): number {
  const d = usage.prompt_tokens_details as { cache_write_tokens?: number; cache_write_1h_tokens?: number } | undefined;
  return (d?.cache_write_tokens ?? 0) + (d?.cache_write_1h_tokens ?? 0);
}

/** The Response object, with the request's settings echoed (OpenAI's defaults where the request left them out). */
export function responseObject(
  meta: ResponseMeta,
  state: { status: ResponseStatus; output: ResponseItemJson[]; usage: TokenUsage | null; incomplete_details?: { reason: string } | null; error?: { code: string; message: string } | null },
): Record<string, unknown> {
  const r = meta.request;
  // `strict` as the request said it: the chat translation sends it upstream only when given, so an echoed default
  // would claim a validation nobody applied (null: not specified, as OpenAI's schema allows).
  const tools = (r.tools ?? []).map((t) => ({ type: 'function', name: t.name, description: t.description ?? null, parameters: t.parameters ?? null, strict: t.strict ?? null }));
  return {
    id: meta.ids.response,
    object: 'response',
    created_at: meta.createdAt,
    status: state.status,
    background: false,
    error: state.error ?? null,
    incomplete_details: state.incomplete_details ?? null,
    instructions: r.instructions ?? null,
    max_output_tokens: r.max_output_tokens ?? null,
    model: meta.model,
    output: state.output,
    parallel_tool_calls: r.parallel_tool_calls ?? true,
    previous_response_id: r.previous_response_id ?? null,
    reasoning: { effort: r.reasoning?.effort ?? null, summary: r.reasoning?.summary ?? r.reasoning?.generate_summary ?? null },
    service_tier: r.service_tier ?? 'default',
    store: r.store ?? true,
    temperature: r.temperature ?? 1,
    text: { format: r.text?.format ?? { type: 'text' }, verbosity: r.text?.verbosity ?? 'medium' },
    tool_choice: r.tool_choice ?? 'auto',
    tools,
    top_p: r.top_p ?? 1,
    truncation: r.truncation ?? 'disabled',
    // Absent rather than null while unknown (OpenAI's schema types both as non-nullable).
    ...(state.usage ? { usage: responseUsage(state.usage) } : {}),
    ...(r.user !== undefined && r.user !== null ? { user: r.user } : {}),
    metadata: r.metadata ?? {},
  };
}

/**
 * Our error code → the Responses API's `ResponseError.code`, a closed set: the caller's `error` event keeps ours,
 * the Response object says it in OpenAI's terms.
 */
export function responseErrorCode(code: unknown): string {
  if (code === 'rate_limit_exceeded' || code === 'upstream_rate_limited') return 'rate_limit_exceeded';
  if (code === 'context_length_exceeded' || code === 'invalid_request' || code === 'invalid_request_error') return 'invalid_prompt';
  return 'server_error';
}

export const outputText = (text: string) => ({ type: 'output_text', text, annotations: [], logprobs: [] });
export const refusalPart = (refusal: string) => ({ type: 'refusal', refusal });
export const summaryText = (text: string) => ({ type: 'summary_text', text });

/**
 * A chat `finish_reason` and the folded choice → output items in the order a chat answer has them: reasoning, the
 * message, then the function calls.
 */
export function outputItems(ids: ResponseIds, choice: { content: string | null; refusal: string | null; reasoning: string | null; toolCalls: { id?: string; name: string; arguments: string }[] }, itemStatus: string): ResponseItemJson[] {
  const out: ResponseItemJson[] = [];
  if (choice.reasoning) out.push({ id: ids.reasoning, type: 'reasoning', summary: [summaryText(choice.reasoning)] });
  const content: Record<string, unknown>[] = [];
  if (choice.content) content.push(outputText(choice.content));
  if (choice.refusal) content.push(refusalPart(choice.refusal));
  if (content.length || !choice.toolCalls.length) out.push({ id: ids.message, type: 'message', status: itemStatus, role: 'assistant', content: content.length ? content : [outputText('')] });
  choice.toolCalls.forEach((c, n) => out.push(functionCallItem(ids, n, c, itemStatus)));
  return out;
}

export function functionCallItem(ids: ResponseIds, n: number, call: { id?: string; name: string; arguments: string }, status: string): ResponseItemJson {
  return { id: ids.functionCall(n), type: 'function_call', status, arguments: call.arguments, call_id: call.id || `call_${ids.hex.slice(0, 24)}_${n}`, name: call.name };
}
