import { z } from 'zod';
import { textOrTokens } from '../../completion/text-inputs';
import { validateBody } from '../../http/request-validation';

/** The legacy API's default `max_tokens`: unlike chat, an unset cap is 16, not "as long as the model likes". */
export const LEGACY_DEFAULT_MAX_TOKENS = 16;

const textCompletionRequestSchema = z.looseObject({
  model: z.string().min(1),
  prompt: textOrTokens,
  max_tokens: z.int().min(0).nullish(),
  n: z.int().min(1).max(128).nullish(),
  stream: z.boolean().nullish(),
  stream_options: z.looseObject({ include_usage: z.boolean().nullish() }).nullish(),
  stop: z.union([z.string(), z.array(z.string()).max(4)]).nullish(),
});

export type TextCompletionRequest = z.infer<typeof textCompletionRequestSchema>;

export function parseTextCompletionRequest(body: unknown): TextCompletionRequest {
  return validateBody(textCompletionRequestSchema, body);
}

export function stopSequences(stop: TextCompletionRequest['stop']): string[] {
  return stop == null ? [] : typeof stop === 'string' ? [stop] : stop;
}
