import type { ProviderAdapter } from '../provider';
import { toZhipuChatBody } from './chat-request.transform';
import { fromZhipuEmbeddings, toZhipuEmbeddingsBody } from './embeddings.transform';
import { mapZhipuError } from './error.mapper';
import { ZhipuStreamDecoder } from './stream.decoder';
import { ZHIPU_BASE_URL, ZHIPU_CHAT_PATH, ZHIPU_EMBEDDINGS_PATH, zhipuHeaders, zhipuUrl } from './zhipu.api';

/**
 * Zhipu GLM on the BigModel open platform (docs.bigmodel.cn, API v4). A real translation rather than a few lines
 * over `openai-base`: Zhipu's parameter ranges and single stop word (`chat-request.transform.ts`), JWT-signed
 * `id.secret` keys (`zhipu-jwt.ts`), whole tool calls, repeated finish reasons and `sensitive` / `network_error`
 * finishes (`stream.decoder.ts`), embedding-3 dimensions (`embeddings.transform.ts`) and numeric business error
 * codes (`error.mapper.ts`). No legacy completions endpoint: they go through chat (decision 0024).
 */
export const provider: ProviderAdapter = {
  id: 'zhipu',
  defaultBaseUrl: ZHIPU_BASE_URL,
  chat: {
    buildRequest: (attempt, body) => ({
      url: zhipuUrl(attempt, ZHIPU_CHAT_PATH),
      headers: zhipuHeaders(attempt, 'text/event-stream'),
      body: JSON.stringify(toZhipuChatBody(body, attempt.upstreamModel)),
    }),
    createDecoder: () => new ZhipuStreamDecoder(),
  },
  embeddings: {
    buildRequest: (attempt, body) => ({
      url: zhipuUrl(attempt, ZHIPU_EMBEDDINGS_PATH),
      headers: zhipuHeaders(attempt, 'application/json'),
      body: JSON.stringify(toZhipuEmbeddingsBody(body, attempt.upstreamModel)),
    }),
    parseResponse: fromZhipuEmbeddings,
  },
  mapError: mapZhipuError,
};
