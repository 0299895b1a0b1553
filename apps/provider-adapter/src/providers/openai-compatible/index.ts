import { openAiCompatible } from '../openai-base/openai-base.provider';

/** Any other OpenAI-compatible server (vLLM, Ollama, a proxy): everything passes through; the channel names the base URL. */
export const provider = openAiCompatible({
  id: 'openai-compatible',
  embeddingsPath: '/embeddings',
  completionsPath: '/completions',
});
