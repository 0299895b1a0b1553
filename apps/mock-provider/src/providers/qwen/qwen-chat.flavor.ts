import type { ChatFlavor } from '../../chat/chat-flavor';
import { isReasoningModel } from '../../completion/completion-planner.service';
import { buildChunkSequence, buildCompletion } from '../../completion/response-format';
import { chunkFrames, openAiSse } from '../openai/openai-chat.flavor';
import { invalidParameter, QWEN_ERRORS } from './qwen.dialect';

/**
 * DashScope compatible mode: OpenAI's shapes with `system_fingerprint: null`; usage only with
 * `stream_options.include_usage`, in a last chunk whose `choices` is empty; `enable_thinking` turns on
 * `reasoning_content` and is refused outside a stream.
 */
export const QWEN_CHAT: ChatFlavor = {
  errors: QWEN_ERRORS,
  sse: openAiSse(QWEN_ERRORS),
  check(request) {
    if (request.enable_thinking === true && request.stream !== true) {
      throw invalidParameter('parameter.enable_thinking must be set to false for non-streaming calls');
    }
  },
  reasons: (request, model) => request.enable_thinking === true || isReasoningModel(model),
  completion: (plan, { includeUsage }) => ({ ...buildCompletion(plan, { includeUsage }), system_fingerprint: null }),
  frames: (plan, { includeUsage, usageRequested }) =>
    chunkFrames(
      buildChunkSequence(plan, { includeUsage: includeUsage && usageRequested }).map((chunk) => ({
        ...chunk,
        body: { ...chunk.body, system_fingerprint: null },
      })),
    ),
};
