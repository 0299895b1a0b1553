import { openAiCompatible } from '../openai-base/openai-base.provider';
import { type Body, clamp, limitChoices, maxTokensAsLegacy, thinkingAsSwitch } from '../openai-base/param-rules';

/**
 * Alibaba Qwen through DashScope's OpenAI-compatible mode (help.aliyun.com, "compatible-mode").
 * - temperature is [0, 2) and top_p (0, 1]: clamped just inside; n at most 4.
 * - max_completion_tokens becomes max_tokens; Qwen3's `enable_thinking`/`thinking_budget` pass through.
 * - Usage comes in a final chunk with empty choices (include_usage); cached input in prompt_tokens_details.
 * - Errors are OpenAI-shaped with DashScope codes (`Arrearage` → out of credit, `InvalidApiKey` → auth).
 * - Embeddings (text-embedding-v3/v4) and completions are offered; DashScope's `/completions` serves the Qwen coder
 *   models only, the others get legacy completions through chat (decision 0024).
 */
export const provider = openAiCompatible({
  id: 'qwen',
  embeddingsPath: '/embeddings',
  completionsPath: '/completions',
  completionsModels: /coder/,
  chatParams(body: Body) {
    maxTokensAsLegacy(body);
    clamp(body, 'temperature', 0, 1.99);
    clamp(body, 'top_p', 0.01, 1);
    limitChoices(body, 4, 'Qwen');
    thinkingAsSwitch(body, 'enable_thinking');
  },
});
