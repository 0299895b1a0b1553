import { z } from 'zod';
import { textOrTokens } from '../completion/text-inputs';
import { validateBody } from '../http/request-validation';

const embeddingsRequestSchema = z.looseObject({
  model: z.string().min(1),
  input: textOrTokens,
  dimensions: z.int().min(1).nullish(),
  encoding_format: z.enum(['float', 'base64']).nullish(),
});

export type EmbeddingsRequest = z.infer<typeof embeddingsRequestSchema>;

export function parseEmbeddingsRequest(body: unknown): EmbeddingsRequest {
  return validateBody(embeddingsRequestSchema, body);
}
