import type { CompletionPlan } from '../../completion/completion-plan';
import type { ChunkKind } from '../../completion/response-format';
import type { SseFrame } from '../../stream/sse-frame';
import { chunkFrames } from './openai-chat.flavor';

/** One plan per prompt; each prompt's `n` choices are numbered on from the previous prompt's. */
export interface TextCompletion {
  id: string;
  created: number;
  model: string;
  plans: readonly CompletionPlan[];
}

function usageOf(plans: readonly CompletionPlan[]) {
  const prompt = plans.reduce((sum, plan) => sum + plan.usage.prompt_tokens, 0);
  const completion = plans.reduce((sum, plan) => sum + plan.usage.completion_tokens, 0);
  return { prompt_tokens: prompt, completion_tokens: completion, total_tokens: prompt + completion };
}

/** Every choice of every prompt, with its index in the response. */
function choices(completion: TextCompletion): { index: number; plan: CompletionPlan }[] {
  return completion.plans.flatMap((plan, p) => Array.from({ length: plan.n }, (_, i) => ({ index: p * plan.n + i, plan })));
}

/** The plain `text_completion` body. */
export function buildTextCompletion(completion: TextCompletion, includeUsage: boolean) {
  return {
    id: completion.id,
    object: 'text_completion',
    created: completion.created,
    model: completion.model,
    choices: choices(completion).map(({ index, plan }) => ({
      text: plan.content.join(''),
      index,
      logprobs: null,
      finish_reason: plan.finishReason,
    })),
    ...(includeUsage ? { usage: usageOf(completion.plans) } : {}),
  };
}

/**
 * The stream: the same `text_completion` object per token (no role chunk, no delta), a closing chunk per choice
 * with empty text and the finish reason, and with `include_usage` a last chunk with empty `choices` and the usage.
 */
export function textCompletionFrames(completion: TextCompletion, includeUsage: boolean): SseFrame[] {
  const head = { id: completion.id, object: 'text_completion', created: completion.created };
  const usageField = includeUsage ? { usage: null } : {};
  const chunk = (kind: ChunkKind, index: number, text: string, finish: string | null) => ({
    kind,
    body: { ...head, choices: [{ text, index, logprobs: null, finish_reason: finish }], model: completion.model, ...usageField },
  });
  return chunkFrames([
    ...choices(completion).flatMap(({ index, plan }) => [
      ...plan.content.map((token) => chunk('token', index, token, null)),
      chunk('finish', index, '', plan.finishReason),
    ]),
    ...(includeUsage ? [{ kind: 'usage' as const, body: { ...head, choices: [], model: completion.model, usage: usageOf(completion.plans) } }] : []),
  ]);
}
