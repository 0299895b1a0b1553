import type { EmbeddingsFlavor } from '../../embeddings/embeddings-flavor';
import { OpenAiError } from '../../http/openai-error';
import { OPENAI_ERRORS } from './openai.dialect';

const MAX_BATCH = 2048;

/** `text-embedding-3-large` is 3072-dimensional; `-3-small` and `ada-002` are 1536. */
const nativeDimensions = (model: string) => (/3-large/.test(model) ? 3072 : 1536);

/** `/v1/embeddings`: only the `text-embedding-3` models can shorten their vectors (`dimensions`). */
export const OPENAI_EMBEDDINGS: EmbeddingsFlavor = {
  errors: OPENAI_ERRORS,
  defaultDimensions: nativeDimensions,
  check(request, inputs) {
    if (inputs.some((input) => input.tokens === 0)) {
      throw OpenAiError.invalidRequest("'$.input' is invalid. Please check the API reference: https://platform.openai.com/docs/api-reference.");
    }
    if (inputs.length > MAX_BATCH) {
      throw OpenAiError.invalidRequest(`'$.input' is too long: at most ${MAX_BATCH} inputs per request.`, 'input', 'invalid_value');
    }
    const model = request.model.split('+')[0];
    if (request.dimensions != null && (!/text-embedding-3/.test(model) || request.dimensions > nativeDimensions(model))) {
      throw OpenAiError.invalidRequest(`This model does not support specifying dimensions of ${request.dimensions}.`, 'dimensions', 'invalid_value');
    }
  },
  render: ({ model, embeddings, promptTokens, includeUsage }) => ({
    object: 'list',
    data: embeddings.map((embedding, index) => ({ object: 'embedding', index, embedding })),
    model,
    ...(includeUsage ? { usage: { prompt_tokens: promptTokens, total_tokens: promptTokens } } : {}),
  }),
};
