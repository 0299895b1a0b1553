import { estimatePromptTokens, type ChatRequest } from '@tokenflow/openai';

/** Used when neither the request nor the catalog bounds the output. */
export const DEFAULT_MAX_OUTPUT_TOKENS = 4_096;

/**
 * What the hold must cover: every choice's longest possible output, and the prompt as our tokenizer counts it plus
 * a margin, because each provider's own tokenizer counts somewhat differently and the hold must never be smaller
 * than the bill.
 */
export function holdSize(body: ChatRequest, catalogMaxOutput: number | null): { promptTokens: number; maxOutputTokens: number } {
  const perChoice = body.max_completion_tokens ?? body.max_tokens ?? catalogMaxOutput ?? DEFAULT_MAX_OUTPUT_TOKENS;
  return { promptTokens: Math.ceil(estimatePromptTokens(body) * 1.25) + 16, maxOutputTokens: perChoice * (body.n ?? 1) };
}
