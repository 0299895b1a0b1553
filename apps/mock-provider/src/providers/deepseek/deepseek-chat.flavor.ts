import type { ChatFlavor } from '../../chat/chat-flavor';
import type { CompletionPlan } from '../../completion/completion-plan';
import { buildChunkSequence, buildCompletion } from '../../completion/response-format';
import { chunkFrames, openAiSse } from '../openai/openai-chat.flavor';
import { DEEPSEEK_ERRORS } from './deepseek.dialect';

/** DeepSeek's usage: OpenAI's plus its own split of the prompt into cache hits and misses. */
export function deepseekUsage(plan: CompletionPlan) {
  const { prompt_tokens, completion_tokens, total_tokens, prompt_tokens_details, completion_tokens_details } = plan.usage;
  return {
    prompt_tokens,
    completion_tokens,
    total_tokens,
    prompt_tokens_details,
    prompt_cache_hit_tokens: prompt_tokens_details.cached_tokens,
    prompt_cache_miss_tokens: prompt_tokens - prompt_tokens_details.cached_tokens,
    completion_tokens_details,
  };
}

/**
 * DeepSeek: `deepseek-reasoner` streams `reasoning_content` first; the stream's usage rides on the last chunk (the
 * one with `finish_reason`) whether or not `include_usage` was asked, never on a separate choice-less chunk; and a
 * request waiting for its first token receives `: keep-alive` comments (blank lines before a plain body).
 */
export const DEEPSEEK_CHAT: ChatFlavor = {
  errors: DEEPSEEK_ERRORS,
  sse: openAiSse(DEEPSEEK_ERRORS, ': keep-alive\n\n'),
  completion: (plan, { includeUsage }) => ({
    ...buildCompletion(plan, { includeUsage: false }),
    ...(includeUsage ? { usage: deepseekUsage(plan) } : {}),
  }),
  frames(plan, { includeUsage, usageRequested }) {
    // With include_usage every chunk carries `usage: null` until the last one.
    const chunks = buildChunkSequence(plan, { includeUsage: includeUsage && usageRequested }).filter((c) => c.kind !== 'usage');
    const last = chunks.at(-1);
    if (includeUsage && last) last.body = { ...last.body, usage: deepseekUsage(plan) };
    return chunkFrames(chunks);
  },
};
