import { z } from 'zod';
import { checkLogitBias } from './chat-request.rules';
import { requestFallbacksSchema } from './chat-request.schema';
import { completionsRequestLimits, embeddingsRequestLimits } from './completions-request.limits';
import { REQUEST_LIMITS as L } from './request-limits';
import { EXACT_MESSAGE, withPreflight } from './validate';

const tokenArray = z.array(z.number().int().min(0)).min(1);
/** Token-id prompts hold one JSON value per token, so these bodies get the larger value budget. */
const tokenIdBody = { values: L.tokenIdJsonValues };

/** Legacy Completions (`POST /v1/completions`): `prompt` is a string, strings, token ids, or arrays of token ids. */
export const completionsRequestSchema = withPreflight(
  z
    .looseObject({
      model: z.string().min(1),
      prompt: z.union([z.string(), z.array(z.string()).min(1).max(L.prompts), tokenArray, z.array(tokenArray).min(1).max(L.prompts)]),
      suffix: z.string().nullish(),
      max_tokens: z.number().int().min(1).max(10_000_000).nullish(),
      temperature: z.number().min(0).max(2).nullish(),
      top_p: z.number().min(0).max(1).nullish(),
      n: z.number().int().min(1).max(L.n).nullish(),
      stream: z.boolean().nullish(),
      stream_options: z.looseObject({ include_usage: z.boolean().optional() }).nullish(),
      logprobs: z.number().int().min(0).max(5).nullish(),
      echo: z.boolean().nullish(),
      stop: z.union([z.string(), z.array(z.string()).max(L.stop)]).nullish(),
      presence_penalty: z.number().min(-2).max(2).nullish(),
      frequency_penalty: z.number().min(-2).max(2).nullish(),
      best_of: z.number().int().min(1).max(20).nullish(),
      logit_bias: z.record(z.string(), z.number()).superRefine(checkLogitBias).nullish(),
      seed: z.number().int().nullish(),
      user: z.string().max(L.user).nullish(),
      fallbacks: requestFallbacksSchema.optional(),
    })
    .superRefine((req, ctx) => {
      if (req.stream_options != null && req.stream !== true) {
        ctx.addIssue({ code: 'custom', path: ['stream_options'], message: "The 'stream_options' parameter is only allowed when 'stream' is enabled.", params: EXACT_MESSAGE });
      }
    }),
  { check: completionsRequestLimits, json: tokenIdBody },
);
export type CompletionsRequest = z.infer<typeof completionsRequestSchema>;

/** Embeddings (`POST /v1/embeddings`): OpenAI caps one request at 2,048 inputs. */
export const embeddingsRequestSchema = withPreflight(
  z.looseObject({
    model: z.string().min(1),
    input: z.union([
      z.string(),
      z.array(z.string()).min(1).max(L.embeddingInputs),
      tokenArray,
      z.array(tokenArray).min(1).max(L.embeddingInputs),
    ]),
    encoding_format: z.enum(['float', 'base64']).optional(),
    dimensions: z.number().int().min(1).optional(),
    user: z.string().max(L.user).nullish(),
    fallbacks: requestFallbacksSchema.optional(),
  }),
  { check: embeddingsRequestLimits, json: tokenIdBody },
);
export type EmbeddingsRequest = z.infer<typeof embeddingsRequestSchema>;
