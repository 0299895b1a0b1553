import { openAiCompatible } from '../openai-base/openai-base.provider';
import { type Body, jsonSchemaAsJsonObject, drop, limitChoices, maxTokensAsLegacy, stripReasoningFromHistory, thinkingAsSwitch } from '../openai-base/param-rules';

/** DeepSeek's documented output ceilings: deepseek-chat 8K, deepseek-reasoner 64K (its default is 32K). */
const MAX_OUTPUT: Record<string, number> = { 'deepseek-chat': 8_192, 'deepseek-reasoner': 65_536 };

/**
 * DeepSeek (api-docs.deepseek.com): OpenAI-compatible.
 * - max_completion_tokens becomes max_tokens, capped at the model's ceiling (DeepSeek 400s above it).
 * - deepseek-reasoner ignores temperature/top_p/penalties and 400s on logprobs: all dropped.
 * - `reasoning_content` in input assistant turns is a 400 on DeepSeek: removed from history.
 * - No `n` beyond 1.
 * - JSON mode is `json_object` only: a `json_schema` format is sent as that plus the schema as an instruction.
 * - Usage: `prompt_cache_hit_tokens` is the cached input; `reasoning_content` deltas pass through to clients.
 * - Legacy completions are DeepSeek's FIM beta (`/beta/completions` at the root base URL), which serves deepseek-chat
 *   only (no thinking mode); deepseek-reasoner gets them through chat (decision 0024). No embeddings.
 */
export const provider = openAiCompatible({
  id: 'deepseek',
  // FIM lives beside the versioned API, not under it: a channel configured as `…/v1` still reaches it.
  completionsPath: '/beta/completions',
  completionsBase: (base) => base.replace(/\/v1$/, ''),
  completionsModels: /^deepseek-chat$/,
  chatParams(body: Body, model: string) {
    maxTokensAsLegacy(body, MAX_OUTPUT[model]);
    limitChoices(body, 1, 'DeepSeek');
    stripReasoningFromHistory(body);
    // Not DeepSeek parameters (an Anthropic-format client's `top_k`; OpenAI's effort knob): dropped.
    drop(body, 'top_k', 'reasoning_effort');
    thinkingAsSwitch(body, 'thinking');
    jsonSchemaAsJsonObject(body);
    if (model === 'deepseek-reasoner') drop(body, 'temperature', 'top_p', 'presence_penalty', 'frequency_penalty', 'logprobs', 'top_logprobs');
  },
});
