import type { ProviderAdapter } from '../provider';
import { upstreamModel } from '../endpoint';
import { ANTHROPIC_BASE_URL, ANTHROPIC_MODEL_ALIASES, anthropicHeaders, messagesUrl } from './anthropic.api';
import { toAnthropicRequest } from './chat-request.transform';
import { mapAnthropicError } from './error.mapper';
import { AnthropicStreamDecoder } from './stream.decoder';

/** Anthropic's Messages API behind the OpenAI Chat Completions surface: chat only (no embeddings, no legacy completions). */
export const AnthropicProvider: ProviderAdapter = {
  id: 'anthropic',
  defaultBaseUrl: ANTHROPIC_BASE_URL,
  chat: {
    buildRequest: (attempt, body) => ({
      url: messagesUrl(attempt),
      headers: anthropicHeaders(attempt.apiKey),
      body: JSON.stringify(toAnthropicRequest(body, upstreamModel(attempt, ANTHROPIC_MODEL_ALIASES))),
    }),
    createDecoder: () => new AnthropicStreamDecoder(),
  },
  mapError: mapAnthropicError,
};

export { ANTHROPIC_MODEL_ALIASES } from './anthropic.api';
export { AnthropicStreamDecoder } from './stream.decoder';
