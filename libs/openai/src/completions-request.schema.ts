import { z } from 'zod';

const tokenArray = z.array(z.number().int().min(0)).min(1);

/** Legacy Completions (`POST /v1/completions`): `prompt` is a string, strings, token ids, or arrays of token ids. */
export const completionsRequestSchema = z.looseObject({
  model: z.string().min(1),
  prompt: z.union([z.string(), z.array(z.string()).min(1), tokenArray, z.array(tokenArray).min(1)]),
  suffix: z.string().nullish(),
  max_tokens: z.number().int().min(1).max(10_000_000).nullish(),
  temperature: z.number().min(0).max(2).nullish(),
  top_p: z.number().min(0).max(1).nullish(),
  n: z.number().int().min(1).max(128).nullish(),
  stream: z.boolean().nullish(),
  stream_options: z.looseObject({ include_usage: z.boolean().optional() }).nullish(),
  logprobs: z.number().int().min(0).max(5).nullish(),
  echo: z.boolean().nullish(),
  stop: z.union([z.string(), z.array(z.string()).max(4)]).nullish(),
  presence_penalty: z.number().min(-2).max(2).nullish(),
  frequency_penalty: z.number().min(-2).max(2).nullish(),
  best_of: z.number().int().min(1).max(20).nullish(),
  seed: z.number().int().nullish(),
  user: z.string().optional(),
});
export type CompletionsRequest = z.infer<typeof completionsRequestSchema>;

/** Embeddings (`POST /v1/embeddings`): OpenAI caps one request at 2,048 inputs. */
export const embeddingsRequestSchema = z.looseObject({
  model: z.string().min(1),
  input: z.union([z.string(), z.array(z.string()).min(1).max(2048), tokenArray, z.array(tokenArray).min(1).max(2048)]),
  encoding_format: z.enum(['float', 'base64']).optional(),
  dimensions: z.number().int().min(1).optional(),
  user: z.string().optional(),
});
export type EmbeddingsRequest = z.infer<typeof embeddingsRequestSchema>;
