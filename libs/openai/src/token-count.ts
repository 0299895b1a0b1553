import { countTokens } from 'gpt-tokenizer';

/**
 * Local token counts for when an upstream sends no usage (or a stream is cut short). The o200k tokenizer is
 * exact for OpenAI models and a close estimate for the others; the event says `usageSource: "estimated"`.
 */
export function estimatePromptTokens(body: Record<string, unknown>): number {
  const messages = Array.isArray(body.messages) ? (body.messages as Record<string, unknown>[]) : [];
  let tokens = 3;
  for (const m of messages) {
    tokens += 4 + countTokens(messageText(m.content));
    if (typeof m.name === 'string') tokens += 1;
  }
  if (body.tools) tokens += countTokens(JSON.stringify(body.tools));
  return tokens;
}

function messageText(content: unknown): string {
  if (typeof content === 'string') return content;
  if (!Array.isArray(content)) return '';
  return content
    .map((part: { type?: string; text?: string }) => (part?.type === 'text' && typeof part.text === 'string' ? part.text : ''))
    .join('\n');
}

export function estimateCompletionTokens(generatedText: string): number {
  return generatedText ? countTokens(generatedText) : 0;
}
