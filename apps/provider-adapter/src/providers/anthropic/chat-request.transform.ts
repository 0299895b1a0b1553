import { TfError } from '@tokenflow/contracts';
import { type Block, toAnthropicMessages } from './messages.transform';
import { rejectsSamplingParams, takesOneSampler } from './model-capabilities';
import { thinks, toThinkingFields } from './thinking.transform';

/**
 * A validated OpenAI Chat Completions body → an Anthropic Messages body, always streamed. The body is built from
 * the fields below only: Anthropic answers any field it does not know with a 400, so nothing passes by default.
 * Dropped on purpose (no Anthropic equivalent): presence_penalty, frequency_penalty, logit_bias, logprobs,
 * top_logprobs, seed, response_format, stream_options, service_tier (different tiers), store, metadata (OpenAI's,
 * not Anthropic's), modalities, audio, prediction, web_search_options, functions/function_call (legacy), and any
 * other extra. Anthropic's own `top_k`, `thinking` and `output_config`, sent as extras, are kept.
 */
export function toAnthropicRequest(body: Record<string, unknown>, model: string): Record<string, unknown> {
  if (typeof body.n === 'number' && body.n > 1) {
    throw new TfError('invalid_request', 'The Anthropic provider does not support n > 1: ask for one choice per request.', { param: 'n' });
  }
  const { system, messages } = toAnthropicMessages(body.messages);
  const tools = toTools(body.tools);
  const toolChoice = tools ? toToolChoice(body.tool_choice, body.parallel_tool_calls) : undefined;
  const thinking = toThinkingFields(body, model, toolChoice?.type === 'any' || toolChoice?.type === 'tool');

  const out: Record<string, unknown> = { model, max_tokens: thinking.max_tokens };
  if (system.length) out.system = system;
  out.messages = messages;
  if (tools) out.tools = tools;
  if (toolChoice) out.tool_choice = toolChoice;
  const stop = toStopSequences(body.stop);
  if (stop) out.stop_sequences = stop;
  Object.assign(out, sampling(body, model, thinks(thinking)));
  if (thinking.thinking) out.thinking = thinking.thinking;
  if (thinking.output_config) out.output_config = thinking.output_config;
  if (typeof body.user === 'string' && body.user) out.metadata = { user_id: body.user };
  out.stream = true;
  return out;
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
