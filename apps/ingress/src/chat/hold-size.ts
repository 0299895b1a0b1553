import { estimatePromptTokens, type ChatRequest } from '@tokenflow/openai';

/** Used when neither the request nor the catalog bounds the output. */
export const DEFAULT_MAX_OUTPUT_TOKENS = 4_096;

/**
 * What the hold must cover: every choice's longest possible output, and the prompt as our tokenizer counts it plus
 * a margin, because each provider's own tokenizer counts somewhat differently and the hold must never be smaller
 * than the bill.
 */
export function holdSize(body: ChatRequest, catalogMaxOutput: number | null): { promptTokens: number; maxOutputTokens: number } {
  return { promptTokens: Math.ceil(estimatePromptTokens(body) * 1.25) + 16, maxOutputTokens: outputCap(body, catalogMaxOutput) * (body.n ?? 1) };
}

/** Output tokens per choice the hold covers: the client's limit, else the catalog's, else the default. */
export function outputCap(body: ChatRequest, catalogMaxOutput: number | null): number {
  return body.max_completion_tokens ?? body.max_tokens ?? catalogMaxOutput ?? DEFAULT_MAX_OUTPUT_TOKENS;
}

/**
 * The body sent upstream: when the client set no output limit, the one the hold covers is added, so a model can
 * never generate more than was reserved.
 */
export function withOutputCap(body: ChatRequest, catalogMaxOutput: number | null): ChatRequest {
  if (body.max_completion_tokens != null || body.max_tokens != null) return body;
  return { ...body, max_tokens: outputCap(body, catalogMaxOutput) };
}
