import { countTokens } from 'gpt-tokenizer';

/**
 * Local token counts for when an upstream sends no usage (or a stream is cut short). The o200k tokenizer is
 * exact for OpenAI models and a close estimate for the others; the event says `usageSource: "estimated"`.
 */
export function estimatePromptTokens(body: Record<string, unknown>): number {
  // Legacy completions send `prompt`, embeddings `input`: a string, strings, or token arrays.
  if (!Array.isArray(body.messages) && (body.prompt !== undefined || body.input !== undefined)) return textInputTokens(body.prompt ?? body.input);
  const messages = Array.isArray(body.messages) ? (body.messages as Record<string, unknown>[]) : [];
  let tokens = 3;
  for (const m of messages) {
    tokens += 4 + countTokens(messageText(m.content)) + IMAGE_TOKENS * imageCount(m.content);
    if (typeof m.name === 'string') tokens += 1;
    if (Array.isArray(m.tool_calls)) tokens += countTokens(JSON.stringify(m.tool_calls));
  }
  if (body.tools) tokens += countTokens(JSON.stringify(body.tools));
  if (body.response_format && typeof body.response_format === 'object') tokens += countTokens(JSON.stringify(body.response_format));
  return tokens;
}

/**
 * An image costs a provider-specific number of tokens that depends on its size, which we do not decode; this is
 * above what OpenAI charges for a high-detail 2048×2048 image, so holds stay on the safe side.
 */
export const IMAGE_TOKENS = 1_600;

function imageCount(content: unknown): number {
  return Array.isArray(content) ? content.filter((p: { type?: string }) => p?.type === 'image_url').length : 0;
}

function messageText(content: unknown): string {
  if (typeof content === 'string') return content;
  if (!Array.isArray(content)) return '';
  return content
    .map((part: { type?: string; text?: string }) => (part?.type === 'text' && typeof part.text === 'string' ? part.text : ''))
    .join('\n');
}

function textInputTokens(input: unknown): number {
  if (typeof input === 'string') return countTokens(input);
  if (!Array.isArray(input)) return 0;
  // An array of token ids is its own count; an array of strings or of token arrays sums its items.
  if (input.every((v) => typeof v === 'number')) return input.length;
  return input.reduce<number>((n, item) => n + textInputTokens(item), 0);
}

export function estimateCompletionTokens(generatedText: string): number {
  return generatedText ? countTokens(generatedText) : 0;
}
