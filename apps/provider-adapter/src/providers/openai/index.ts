import { openAiCompatible } from '../openai-base/openai-base.provider';
import { type Body, drop, maxTokensAsCompletion } from '../openai-base/param-rules';

/** o-series and gpt-5 reasoning models reject sampling parameters and logprobs. */
const REASONING_MODEL = /^(o\d|gpt-5)/;

/**
 * OpenAI itself.
 * - `max_tokens` becomes `max_completion_tokens` (deprecated for chat, and refused by reasoning models).
 * - Reasoning models (o1/o3/o4…, gpt-5…): temperature, top_p, penalties, logprobs and logit_bias are dropped;
 *   other models drop `reasoning_effort`. Other providers' extensions (`thinking`, `top_k`) are dropped.
 * - Embeddings and legacy completions (gpt-3.5-turbo-instruct) are offered.
 */
export const provider = openAiCompatible({
  id: 'openai',
  embeddingsPath: '/embeddings',
  completionsPath: '/completions',
  chatParams(body: Body, model: string) {
    maxTokensAsCompletion(body);
    // Other providers' extensions (Anthropic-format clients bring `thinking` and `top_k`): OpenAI 400s on them.
    drop(body, 'thinking', 'top_k', 'enable_thinking');
    if (REASONING_MODEL.test(model)) {
      drop(body, 'temperature', 'top_p', 'presence_penalty', 'frequency_penalty', 'logprobs', 'top_logprobs', 'logit_bias');
    } else {
      drop(body, 'reasoning_effort');
    }
  },
});
