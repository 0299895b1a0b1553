import type { EmbeddingsFlavor } from '../../embeddings/embeddings-flavor';
import { invalidZhipuParameter, ZHIPU_ERRORS } from './zhipu.dialect';

const MAX_BATCH = 64;
const EMBEDDING_3_DIMENSIONS = [256, 512, 1024, 2048];

const isEmbedding3 = (model: string) => /embedding-3/.test(model);

/** `embedding-3` (2048 dimensions, or 256/512/1024) and `embedding-2` (1024, fixed); usage has `completion_tokens: 0`. */
export const ZHIPU_EMBEDDINGS: EmbeddingsFlavor = {
  errors: ZHIPU_ERRORS,
  defaultDimensions: (model) => (isEmbedding3(model) ? 2048 : 1024),
  check(request, inputs) {
    if (inputs.length > MAX_BATCH || inputs.some((input) => input.tokens === 0)) throw invalidZhipuParameter('input');
    const model = request.model.split('+')[0];
    if (request.dimensions != null && !(isEmbedding3(model) && EMBEDDING_3_DIMENSIONS.includes(request.dimensions))) {
      throw invalidZhipuParameter('dimensions');
    }
  },
  render: ({ model, embeddings, promptTokens, includeUsage }) => ({
    model,
    data: embeddings.map((embedding, index) => ({ embedding, index, object: 'embedding' })),
    object: 'list',
    ...(includeUsage ? { usage: { prompt_tokens: promptTokens, completion_tokens: 0, total_tokens: promptTokens } } : {}),
  }),
};
