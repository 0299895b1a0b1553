import { randomUUID } from 'node:crypto';
import type { EmbeddingsFlavor } from '../../embeddings/embeddings-flavor';
import { invalidParameter, QWEN_ERRORS } from './qwen.dialect';

const MAX_BATCH = 10;
const V4_DIMENSIONS = [2048, 1536, 1024, 768, 512, 256, 128, 64];
const V3_DIMENSIONS = [1024, 768, 512, 256, 128, 64];

const allowedDimensions = (model: string) => (/v4/.test(model) ? V4_DIMENSIONS : V3_DIMENSIONS);

/** DashScope `text-embedding-v3`/`v4`: 1024 dimensions unless chosen from a fixed list, at most 10 texts a call. */
export const QWEN_EMBEDDINGS: EmbeddingsFlavor = {
  errors: QWEN_ERRORS,
  defaultDimensions: () => 1024,
  check(request, inputs) {
    if (inputs.length > MAX_BATCH) {
      throw invalidParameter(`Value error, batch size is invalid, it should not be larger than ${MAX_BATCH}.: input.contents`);
    }
    if (inputs.some((input) => input.tokens === 0)) {
      throw invalidParameter('Range of input length should be [1, 8192]');
    }
    const allowed = allowedDimensions(request.model.split('+')[0]);
    if (request.dimensions != null && !allowed.includes(request.dimensions)) {
      throw invalidParameter(`Value error, dimension should be one of [${allowed.join(', ')}].: parameters.dimension`);
    }
  },
  render: ({ model, embeddings, promptTokens, includeUsage }) => ({
    data: embeddings.map((embedding, index) => ({ embedding, index, object: 'embedding' })),
    model,
    object: 'list',
    ...(includeUsage ? { usage: { prompt_tokens: promptTokens, total_tokens: promptTokens } } : {}),
    id: randomUUID(),
  }),
};
