import { estimatePromptTokens } from '@tokenflow/openai';
import type { CountTokensRequest } from './messages-request.schema';
import { toChatRequest } from './to-chat-request';

/**
 * `/v1/messages/count_tokens`: the prompt as it will go upstream (system, turns, images, tool calls and results,
 * tool definitions), counted the way holds and estimated usage count it, so the two agree.
 */
export function countTokens(req: CountTokensRequest): { input_tokens: number } {
  return { input_tokens: estimatePromptTokens(toChatRequest(req)) };
}
