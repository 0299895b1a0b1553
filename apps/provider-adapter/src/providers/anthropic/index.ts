import type { ProviderAdapter } from '../provider';
import { ANTHROPIC_BASE_URL, anthropicHeaders, messagesUrl } from './anthropic.api';
import { toAnthropicRequest } from './chat-request.transform';
import { mapAnthropicError } from './error.mapper';
import { AnthropicStreamDecoder } from './stream.decoder';

/** Anthropic's Messages API behind the OpenAI Chat Completions surface: no embeddings; legacy completions go through chat (decision 0024). */
export const provider: ProviderAdapter = {
  id: 'anthropic',
  defaultBaseUrl: ANTHROPIC_BASE_URL,
  chat: {
    buildRequest: (attempt, body) => ({
      url: messagesUrl(attempt),
      headers: anthropicHeaders(attempt.apiKey),
      body: JSON.stringify(toAnthropicRequest(body, attempt.upstreamModel)),
    }),
    createDecoder: () => new AnthropicStreamDecoder(),
  },
  mapError: mapAnthropicError,
};

export { AnthropicStreamDecoder } from './stream.decoder';
