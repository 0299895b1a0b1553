import { TfError } from '@tokenflow/contracts';
import { jsonInstruction, jsonSchemaOf } from '../json-instruction';
import { type Block, toAnthropicMessages } from './messages.transform';
import { rejectsSamplingParams, supportsStructuredOutputs, takesOneSampler } from './model-capabilities';
import { thinks, toThinkingFields } from './thinking.transform';

/**
 * A validated OpenAI Chat Completions body → an Anthropic Messages body, always streamed. The body is built from
 * the fields below only: Anthropic answers any field it does not know with a 400, so nothing passes by default.
 * Dropped on purpose (no Anthropic equivalent): presence_penalty, frequency_penalty, logit_bias, logprobs,
 * top_logprobs, seed, stream_options, service_tier (different tiers), store, metadata (OpenAI's, not Anthropic's),
 * modalities, audio, prediction, web_search_options, functions/function_call (legacy), and any other extra.
 * Anthropic's own `top_k`, `thinking` and `output_config`, sent as extras, are kept.
 * `response_format` is translated (see `structuredOutput`).
 */
export function toAnthropicRequest(body: Record<string, unknown>, model: string): Record<string, unknown> {
  if (typeof body.n === 'number' && body.n > 1) {
    throw new TfError('invalid_request', 'The Anthropic provider does not support n > 1: ask for one choice per request.', { param: 'n' });
  }
  const { system, messages } = toAnthropicMessages(body.messages);
  const tools = toTools(body.tools);
  const toolChoice = tools ? toToolChoice(body.tool_choice, body.parallel_tool_calls) : undefined;
  const thinking = toThinkingFields(body, model, toolChoice?.type === 'any' || toolChoice?.type === 'tool');

  const structured = structuredOutput(body.response_format, model);
  if (structured.instruction) system.push({ type: 'text', text: structured.instruction });

  const out: Record<string, unknown> = { model, max_tokens: thinking.max_tokens };
  if (system.length) out.system = system;
  out.messages = messages;
  if (tools) out.tools = tools;
  if (toolChoice) out.tool_choice = toolChoice;
  const stop = toStopSequences(body.stop);
  if (stop) out.stop_sequences = stop;
  Object.assign(out, sampling(body, model, thinks(thinking)));
  if (thinking.thinking) out.thinking = thinking.thinking;
  const outputConfig = structured.format ? { format: structured.format, ...thinking.output_config } : thinking.output_config;
  if (outputConfig) out.output_config = outputConfig;
  if (typeof body.user === 'string' && body.user) out.metadata = { user_id: body.user };
  out.stream = true;
  return out;
}

/**
 * `response_format` → Claude's structured outputs (platform.claude.com/docs/en/build-with-claude/structured-outputs:
 * `output_config.format`, generally available, no beta header; the beta's top-level `output_format` is deprecated).
 * - `json_schema` with a schema → `output_config.format: {type:'json_schema', schema}`: the answer is held to the
 *   schema upstream. A client's own `output_config.format` (an Anthropic extra) wins. Models before 4.5 have no
 *   structured outputs (a 400 upstream): they get the schema as a system instruction instead, best effort.
 * - `json_object` → a system instruction to answer with one JSON object only. Not a permissive object schema:
 *   structured outputs require `additionalProperties: false` on every object, so "any object" cannot be said as one.
 * - `text` (the default) → nothing.
 */
function structuredOutput(format: unknown, model: string): { format?: Block; instruction?: string } {
  const type = (format as { type?: unknown } | null | undefined)?.type;
  if (type === 'json_schema') {
    const schema = jsonSchemaOf(format);
    if (schema && supportsStructuredOutputs(model)) return { format: { type: 'json_schema', schema } };
    return { instruction: jsonInstruction(schema) };
  }
  if (type === 'json_object') return { instruction: jsonInstruction() };
  return {};
}

type FunctionTool = { function?: { name?: unknown; description?: unknown; parameters?: unknown } };

function toTools(tools: unknown): Block[] | undefined {
  if (!Array.isArray(tools) || tools.length === 0) return undefined;
  return (tools as FunctionTool[]).map(({ function: fn }) => {
    const params = fn?.parameters && typeof fn.parameters === 'object' ? (fn.parameters as Record<string, unknown>) : undefined;
    // Anthropic requires an object schema with its `type`; OpenAI lets both be omitted.
    const tool: Block = { name: fn?.name, input_schema: params ? { type: 'object', ...params } : { type: 'object', properties: {} } };
    if (typeof fn?.description === 'string' && fn.description) tool.description = fn.description;
    return tool;
  });
}

/** Only with tools: Anthropic rejects a tool_choice that has none to choose from. */
function toToolChoice(choice: unknown, parallel: unknown): Block | undefined {
  let out: Block | undefined;
  if (choice === 'auto') out = { type: 'auto' };
  else if (choice === 'required') out = { type: 'any' };
  else if (choice === 'none') out = { type: 'none' };
  else if (choice && typeof choice === 'object') out = { type: 'tool', name: (choice as FunctionTool).function?.name };
  // `none` takes no flag; without a choice, parallel_tool_calls:false still needs one to hang on.
  if (parallel === false && out?.type !== 'none') out = { ...(out ?? { type: 'auto' }), disable_parallel_tool_use: true };
  return out;
}

/** Anthropic refuses stop sequences of whitespace only (OpenAI clients often send "\n"): those are dropped. */
function toStopSequences(stop: unknown): string[] | undefined {
  const list = (typeof stop === 'string' ? [stop] : Array.isArray(stop) ? stop : []).filter((s): s is string => typeof s === 'string' && s.trim() !== '');
  return list.length ? list : undefined;
}

/**
 * temperature clamped to Anthropic's [0, 1] (not rescaled: 0 and 1 mean the same on both), top_p as sent, top_k if
 * the client sent Anthropic's. Left out where they would be a 400: while thinking, on models that no longer take
 * them, and top_p next to a temperature on models that take only one.
 */
function sampling(body: Record<string, unknown>, model: string, thinking: boolean): Record<string, number> {
  if (thinking || rejectsSamplingParams(model)) return {};
  const out: Record<string, number> = {};
  if (typeof body.temperature === 'number') out.temperature = Math.min(1, Math.max(0, body.temperature));
  if (typeof body.top_p === 'number' && !(out.temperature !== undefined && takesOneSampler(model))) out.top_p = body.top_p;
  if (typeof body.top_k === 'number') out.top_k = body.top_k;
  return out;
}
