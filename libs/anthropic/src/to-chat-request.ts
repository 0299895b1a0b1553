import type { CountTokensRequest, MessagesRequest } from './messages-request.schema';
import { toChatMessages } from './to-chat-messages';

export type ReasoningEffort = 'low' | 'medium' | 'high';

/**
 * Anthropic's thinking budget → OpenAI `reasoning_effort`. The cut points sit between Claude Code's presets
 * ("think" 4,000 → low, "think hard" 10,000 → medium, "ultrathink" 31,999 → high), the budgets most clients send:
 * below 4,096 low, below 16,384 medium, from 16,384 high.
 */
export function budgetToReasoningEffort(budgetTokens: number): ReasoningEffort {
  if (budgetTokens < 4_096) return 'low';
  if (budgetTokens < 16_384) return 'medium';
  return 'high';
}

/** `output_config.effort`: OpenAI-compatible APIs stop at `high`, so `xhigh` and `max` become `high`. */
function effortToReasoningEffort(effort: string): ReasoningEffort {
  return effort === 'low' || effort === 'medium' ? effort : 'high';
}

/**
 * The OpenAI Chat Completions body for an Anthropic Messages request (already validated). Always a stream with
 * usage: the pipeline streams upstream whatever the client asked (docs/decisions/0004); ingress re-assembles for
 * non-stream clients. Anthropic fields without an OpenAI meaning (cache_control, service_tier…) are left out.
 */
export function toChatRequest(req: MessagesRequest | (CountTokensRequest & { max_tokens?: number })): Record<string, unknown> {
  const body: Record<string, unknown> = {
    model: req.model,
    messages: toChatMessages(req.system, req.messages),
    stream: true,
    stream_options: { include_usage: true },
  };
  if (req.max_tokens !== undefined) body.max_tokens = req.max_tokens;
  if (req.temperature != null) body.temperature = req.temperature;
  if (req.top_p != null) body.top_p = req.top_p;
  // Not an OpenAI field; passes through to providers that take it (vLLM, Qwen…), see docs/decisions/0003.
  if (req.top_k != null) body.top_k = req.top_k;
  if (req.stop_sequences?.length) body.stop = req.stop_sequences;
  if (typeof req.metadata?.user_id === 'string') body.user = req.metadata.user_id;
  Object.assign(body, tools(req), thinking(req));
  if (req.output_config?.format) {
    body.response_format = { type: 'json_schema', json_schema: { name: 'output', schema: req.output_config.format.schema } };
  }
  return body;
}

function tools(req: CountTokensRequest): Record<string, unknown> {
  if (!req.tools?.length) return {};
  const out: Record<string, unknown> = {
    tools: req.tools.map((t) => ({
      type: 'function',
      function: { name: t.name, ...(t.description != null && { description: t.description }), parameters: t.input_schema },
    })),
  };
  const choice = req.tool_choice;
  if (!choice) return out;
  if (choice.type === 'auto') out.tool_choice = 'auto';
  else if (choice.type === 'any') out.tool_choice = 'required';
  else if (choice.type === 'none') out.tool_choice = 'none';
  else out.tool_choice = { type: 'function', function: { name: choice.name } };
  if (choice.type !== 'none' && choice.disable_parallel_tool_use) out.parallel_tool_calls = false;
  return out;
}

/**
 * `thinking` goes through as an extra field, as the client sent it (`adaptive` included): each provider adapter
 * fits it to what its models take (Claude: adaptive or a budget by generation; GLM and DeepSeek: on or off; Qwen:
 * `enable_thinking`). `reasoning_effort` carries the budget to OpenAI-style reasoning models; an explicit
 * `output_config.effort` wins over the budget.
 */
function thinking(req: CountTokensRequest): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const t = req.thinking;
  if (t?.type === 'enabled') {
    out.thinking = { type: 'enabled', budget_tokens: t.budget_tokens };
    out.reasoning_effort = budgetToReasoningEffort(t.budget_tokens);
  } else if (t?.type === 'adaptive') {
    out.thinking = { type: 'adaptive' };
  } else if (t?.type === 'disabled') {
    out.thinking = { type: 'disabled' };
  }
  const effort = req.output_config?.effort;
  if (effort) out.reasoning_effort = effortToReasoningEffort(effort);
  return out;
}
