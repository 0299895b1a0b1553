import type { ChatFlavor } from '../../chat/chat-flavor';
import type { CompletionPlan } from '../../completion/completion-plan';
import { buildChunkSequence, buildCompletion, type ChatCompletionChunk } from '../../completion/response-format';
import { chunkFrames, openAiSse } from '../openai/openai-chat.flavor';
import { MOONSHOT_ERRORS } from './moonshot.dialect';

function moonshotUsage(plan: CompletionPlan) {
  const { prompt_tokens, completion_tokens, total_tokens, prompt_tokens_details } = plan.usage;
  return { prompt_tokens, completion_tokens, total_tokens, cached_tokens: prompt_tokens_details.cached_tokens };
}

/** Moonshot's chunks have no `system_fingerprint` and no `logprobs`. */
function moonshotChunk({ system_fingerprint: _fingerprint, usage: _usage, ...chunk }: ChatCompletionChunk) {
  return { ...chunk, choices: chunk.choices.map(({ logprobs: _logprobs, ...choice }) => choice) };
}

/**
 * Moonshot (Kimi): the stream's usage sits INSIDE the last choice (`choices[0].usage` of the chunk with
 * `finish_reason`), always, and `stream_options.include_usage` changes nothing; there is no usage-only chunk.
 */
export const MOONSHOT_CHAT: ChatFlavor = {
  errors: MOONSHOT_ERRORS,
  sse: openAiSse(MOONSHOT_ERRORS),
  completion(plan, { includeUsage }) {
    const { system_fingerprint: _fingerprint, ...body } = buildCompletion(plan, { includeUsage: false });
    const choices = body.choices.map(({ logprobs: _logprobs, message: { refusal: _refusal, ...message }, ...choice }) => ({ ...choice, message }));
    return { ...body, choices, ...(includeUsage ? { usage: moonshotUsage(plan) } : {}) };
  },
  frames(plan, { includeUsage }) {
    const chunks = buildChunkSequence(plan, { includeUsage: false }).map((chunk) => ({ ...chunk, body: moonshotChunk(chunk.body) }));
    const last = chunks.at(-1);
    if (includeUsage && last) {
      last.body = { ...last.body, choices: last.body.choices.map((choice) => ({ ...choice, usage: moonshotUsage(plan) })) };
    }
    return chunkFrames(chunks);
  },
};
