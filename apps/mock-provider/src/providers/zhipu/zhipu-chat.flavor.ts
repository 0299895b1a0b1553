import type { ChatFlavor } from '../../chat/chat-flavor';
import type { CompletionPlan } from '../../completion/completion-plan';
import type { ChunkKind } from '../../completion/response-format';
import { chunkFrames, openAiSse } from '../openai/openai-chat.flavor';
import { ZHIPU_ERRORS } from './zhipu.dialect';

function zhipuUsage(plan: CompletionPlan) {
  const { prompt_tokens, completion_tokens, total_tokens, prompt_tokens_details } = plan.usage;
  return { prompt_tokens, completion_tokens, total_tokens, prompt_tokens_details };
}

function toolCalls(plan: CompletionPlan) {
  return plan.toolCalls.map((call, index) => ({
    id: call.id,
    index,
    type: 'function' as const,
    function: { name: call.name, arguments: call.arguments },
  }));
}

/**
 * Zhipu (GLM, `/api/paas/v4`): no `object` field and no opening role chunk, every delta repeats
 * `role: "assistant"`; tool calls arrive whole (complete arguments) in one chunk instead of fragments; usage comes
 * in the final chunk, with the finish reason, whatever `stream_options` says.
 */
export const ZHIPU_CHAT: ChatFlavor = {
  errors: ZHIPU_ERRORS,
  sse: openAiSse(ZHIPU_ERRORS),
  completion(plan, { includeUsage }) {
    const usesTools = plan.toolCalls.length > 0;
    const message = {
      role: 'assistant' as const,
      content: usesTools ? null : plan.content.join(''),
      ...(plan.reasoning.length ? { reasoning_content: plan.reasoning.join('') } : {}),
      ...(usesTools ? { tool_calls: toolCalls(plan) } : {}),
    };
    return {
      id: plan.id,
      request_id: plan.id,
      created: plan.created,
      model: plan.model,
      choices: Array.from({ length: plan.n }, (_, index) => ({ index, finish_reason: plan.finishReason, message })),
      ...(includeUsage ? { usage: zhipuUsage(plan) } : {}),
    };
  },
  frames(plan, { includeUsage }) {
    const head = { id: plan.id, created: plan.created, model: plan.model };
    const chunks: { kind: ChunkKind; body: unknown }[] = [];
    for (let index = 0; index < plan.n; index++) {
      const delta = (kind: ChunkKind, fields: Record<string, unknown>) =>
        chunks.push({ kind, body: { ...head, choices: [{ index, delta: { role: 'assistant', ...fields } }] } });
      plan.reasoning.forEach((token) => delta('token', { reasoning_content: token }));
      plan.content.forEach((token) => delta('token', { content: token }));
      if (plan.toolCalls.length) delta('token', { tool_calls: toolCalls(plan) });
      const last = index === plan.n - 1;
      chunks.push({
        kind: 'finish',
        body: {
          ...head,
          choices: [{ index, finish_reason: plan.finishReason, delta: { role: 'assistant', content: '' } }],
          ...(includeUsage && last ? { usage: zhipuUsage(plan) } : {}),
        },
      });
    }
    return chunkFrames(chunks);
  },
};
