import { openAiCompatible } from '../openai-base/openai-base.provider';
import { type Body, drop, maxTokensAsCompletion } from '../openai-base/param-rules';

/** o-series and gpt-5 reasoning models reject sampling parameters and logprobs. */
const REASONING_MODEL = /^(o\d|gpt-5)/;

/**
 * OpenAI itself.
 * - `max_tokens` becomes `max_completion_tokens` (deprecated for chat, and refused by reasoning models).
 * - Reasoning models (o1/o3/o4…, gpt-5…): temperature, top_p, penalties, logprobs and logit_bias are dropped;
 *   other models drop `reasoning_effort`. Other providers' extensions (`thinking`, `top_k`) are dropped.
 * - Embeddings and legacy completions are offered; `/completions` serves only the instruct and base models
 *   (gpt-3.5-turbo-instruct, davinci-002, babbage-002), chat models get them through chat (decision 0024).
 */
export const provider = openAiCompatible({
  id: 'openai',
  embeddingsPath: '/embeddings',
  completionsPath: '/completions',
  completionsModels: /^(gpt-3\.5-turbo-instruct|davinci-002|babbage-002)/,
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
