import { randomBytes } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import type { ChatRequest } from '../chat/chat-request';
import type { Directives } from '../directives/directive-parser.service';
import type { CompletionPlan, FinishReason, PlannedToolCall } from './completion-plan';
import { countPromptTokens, countToolCallTokens, messageText } from './token-counter';
import { chooseTools, mockArguments } from './tool-calls';
import { generateWords, hashText, wordsToTokens } from './word-generator';

export const DEFAULT_COMPLETION_TOKENS = 16;
export const REASONING_TOKENS = 8;
// Reasoning and answer draw from different seeds so the "thoughts" do not merely repeat the answer.
const REASONING_SEED_SALT = 0x9e3779b9;

/** DeepSeek's `deepseek-reasoner`, `deepseek-r1` and the like think before they answer. */
export function isReasoningModel(model: string): boolean {
  return /reasoner|r1/i.test(model);
}

export function newId(prefix: string): string {
  return `${prefix}${randomBytes(12).toString('hex')}`;
}

/** Content generation: turns a validated request and its directives into the completion to send. */
@Injectable()
export class CompletionPlannerService {
  plan(request: ChatRequest, model: string, directives: Pick<Directives, 'tokens'>): CompletionPlan {
    const n = request.n ?? 1;
    const lastUser = request.messages.findLast((m) => m.role === 'user');
    const seed = hashText(lastUser ? messageText(lastUser) : '');
    const reasoning = isReasoningModel(model) ? wordsToTokens(generateWords(seed ^ REASONING_SEED_SALT, REASONING_TOKENS)) : [];

    const toolCalls: PlannedToolCall[] = chooseTools(request).map((tool) => ({
      id: newId('call_'),
      name: tool.function.name,
      arguments: JSON.stringify(mockArguments(tool.function.parameters)),
    }));

    const cap = request.max_completion_tokens ?? request.max_tokens ?? undefined;
    const natural = directives.tokens ?? DEFAULT_COMPLETION_TOKENS;
    const length = cap === undefined ? natural : Math.min(cap, natural);
    const content = toolCalls.length ? [] : wordsToTokens(generateWords(seed, length));
    const finishReason: FinishReason = toolCalls.length ? 'tool_calls' : length < natural ? 'length' : 'stop';

    const answerTokens = toolCalls.length ? countToolCallTokens(toolCalls) : content.length;
    const promptTokens = countPromptTokens(request.messages);
    const completionTokens = n * (reasoning.length + answerTokens);
    return {
      id: newId('chatcmpl-'),
      created: Math.floor(Date.now() / 1000),
      model,
      n,
      reasoning,
      content,
      toolCalls,
      finishReason,
      usage: {
        prompt_tokens: promptTokens,
        completion_tokens: completionTokens,
        total_tokens: promptTokens + completionTokens,
        prompt_tokens_details: { cached_tokens: 0 },
        completion_tokens_details: { reasoning_tokens: n * reasoning.length },
      },
    };
  }
}
