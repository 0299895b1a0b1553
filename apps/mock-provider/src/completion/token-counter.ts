import type { ChatMessage } from '../chat/chat-request';

const PER_MESSAGE_TOKENS = 4;
const PER_REQUEST_TOKENS = 3;
const IMAGE_TOKENS = 85;
const PER_TOOL_CALL_TOKENS = 5;

/** The text of a message: a string content, or its text parts joined (image parts have no text). */
export function messageText(message: ChatMessage): string {
  const { content } = message;
  if (typeof content === 'string') return content;
  if (!Array.isArray(content)) return '';
  return content.map((part) => (part.type === 'text' && typeof part.text === 'string' ? part.text : '')).join('');
}

/**
 * A cheap, deterministic stand-in for a tokenizer (about 4 characters per token plus OpenAI's per-message
 * overhead), so usage is predictable in tests and identical for streamed and plain responses.
 */
export function countPromptTokens(messages: readonly ChatMessage[]): number {
  return messages.reduce((total, message) => {
    const images = Array.isArray(message.content) ? message.content.filter((p) => p.type === 'image_url').length : 0;
    return total + PER_MESSAGE_TOKENS + Math.ceil(messageText(message).length / 4) + images * IMAGE_TOKENS;
  }, PER_REQUEST_TOKENS);
}

export function countToolCallTokens(calls: readonly { arguments: string }[]): number {
  const chars = calls.reduce((sum, call) => sum + call.arguments.length, 0);
  return Math.ceil(chars / 4) + PER_TOOL_CALL_TOKENS * calls.length;
}
