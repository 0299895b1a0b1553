import { randomBytes } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { type ChatRequest, structuredFormat } from '../chat/chat-request';
import type { Directives } from '../directives/directive-parser.service';
import type { CompletionPlan, FinishReason, PlannedToolCall } from './completion-plan';
import { cutAtStopSequence } from './stop-sequences';
import { countPromptTokens, countToolCallTokens, messageText } from './token-counter';
import { type StructuredFormat, structuredText } from './json-instance';
import { chooseTools, mockArguments } from './tool-calls';
import { generateWords, hashText, wordsToTokens } from './word-generator';

export const DEFAULT_COMPLETION_TOKENS = 16;
export const REASONING_TOKENS = 8;
/** Characters per token of a structured (JSON) answer, the token counter's ratio: the JSON streams in such pieces. */
export const JSON_TOKEN_CHARS = 4;
// Reasoning and answer draw from different seeds so the "thoughts" do not merely repeat the answer.
const REASONING_SEED_SALT = 0x9e3779b9;

/** DeepSeek's `deepseek-reasoner`, `deepseek-r1` and the like think before they answer. */
export function isReasoningModel(model: string): boolean {
  return /reasoner|r1/i.test(model);
}

export function newId(prefix: string): string {
  return `${prefix}${randomBytes(12).toString('hex')}`;
}

/** A tool the answer calls, whatever API described it (OpenAI `function`, Anthropic `input_schema`…). */
export interface ToolToCall {
  name: string;
  parameters?: Record<string, unknown>;
}

/** What any API's request boils down to for content generation. */
export interface PlanInput {
  /** Seeds the words: the same text always yields the same completion (the last user message, or the prompt). */
  seedText: string;
  promptTokens: number;
  n: number;
  /** The client's cap on generated tokens (`max_tokens`…), if any. */
  maxTokens?: number;
  /** Tools to call instead of answering with content; empty for a content answer. */
  tools: readonly ToolToCall[];
  /** Think before answering (reasoning tokens first). */
  reasoning: boolean;
  /**
   * Answer with JSON instead of words: a JSON object, or an instance of a JSON Schema. Its natural length is that of
   * the JSON text (the `tokens` directive does not apply); the client's cap still cuts it, mid-JSON, as upstream.
   */
  structured?: StructuredFormat;
  /** Sequences that end the content where they first appear (and are not sent). */
  stopSequences?: readonly string[];
  /** Prefix of the response id (`chatcmpl-` by default, `msg_` for Anthropic). */
  idPrefix?: string;
  /** Prefix of tool call ids (`call_` by default, `toolu_` for Anthropic). */
  toolCallIdPrefix?: string;
}

/** Content generation: turns a validated request and its directives into the completion to send. */
@Injectable()
export class CompletionPlannerService {
  /** An OpenAI Chat Completions request; reasoning model names think first unless the provider says otherwise. */
  plan(
    request: ChatRequest,
    model: string,
    directives: Pick<Directives, 'tokens' | 'cachedTokens'>,
    reasoning = isReasoningModel(model),
  ): CompletionPlan {
    const lastUser = request.messages.findLast((m) => m.role === 'user');
    return this.planFrom(
      {
        seedText: lastUser ? messageText(lastUser) : '',
        promptTokens: countPromptTokens(request.messages),
        n: request.n ?? 1,
        maxTokens: request.max_completion_tokens ?? request.max_tokens ?? undefined,
        tools: chooseTools(request).map((tool) => ({ name: tool.function.name, parameters: tool.function.parameters })),
        reasoning,
        structured: structuredFormat(request),
      },
      model,
      directives,
    );
  }

  /** Any API's request, once reduced to a {@link PlanInput}. */
  planFrom(input: PlanInput, model: string, directives: Pick<Directives, 'tokens' | 'cachedTokens'>): CompletionPlan {
    const seed = hashText(input.seedText);
    const reasoning = input.reasoning ? wordsToTokens(generateWords(seed ^ REASONING_SEED_SALT, REASONING_TOKENS)) : [];

    const toolCalls: PlannedToolCall[] = input.tools.map((tool) => ({
      id: newId(input.toolCallIdPrefix ?? 'call_'),
      name: tool.name,
      arguments: JSON.stringify(mockArguments(tool.parameters)),
    }));

    const answer = toolCalls.length ? [] : input.structured ? jsonTokens(structuredText(input.structured, seed)) : undefined;
    const natural = answer?.length ?? directives.tokens ?? DEFAULT_COMPLETION_TOKENS;
    const length = input.maxTokens === undefined ? natural : Math.min(input.maxTokens, natural);
    let content = toolCalls.length ? [] : (answer?.slice(0, length) ?? wordsToTokens(generateWords(seed, length)));
    let finishReason: FinishReason = toolCalls.length ? 'tool_calls' : length < natural ? 'length' : 'stop';
    let answerTokens = toolCalls.length ? countToolCallTokens(toolCalls) : content.length;
    const cut = cutAtStopSequence(content, input.stopSequences ?? []);
    if (cut) {
      content = cut.shown;
      answerTokens = cut.generated;
      finishReason = 'stop';
    }

    const completionTokens = input.n * (reasoning.length + answerTokens);
    return {
      id: newId(input.idPrefix ?? 'chatcmpl-'),
      created: Math.floor(Date.now() / 1000),
      model,
      n: input.n,
      reasoning,
      content,
      toolCalls,
      finishReason,
      ...(cut ? { stopSequence: cut.sequence } : {}),
      usage: {
        prompt_tokens: input.promptTokens,
        completion_tokens: completionTokens,
        total_tokens: input.promptTokens + completionTokens,
        prompt_tokens_details: { cached_tokens: Math.min(directives.cachedTokens ?? 0, input.promptTokens) },
        completion_tokens_details: { reasoning_tokens: input.n * reasoning.length },
      },
    };
  }
}

/** JSON text in pieces of {@link JSON_TOKEN_CHARS} characters (whole code points), which join back to it. */
export function jsonTokens(text: string): string[] {
  const chars = Array.from(text);
  const tokens: string[] = [];
  for (let i = 0; i < chars.length; i += JSON_TOKEN_CHARS) tokens.push(chars.slice(i, i + JSON_TOKEN_CHARS).join(''));
  return tokens;
}
