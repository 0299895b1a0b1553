import type { TokenUsage } from '@tokenflow/contracts';
import { CompletionAssembler } from '../completion-assembler';
import { outputItems, type ResponseMeta, responseObject, statusOf } from './response-object';

/**
 * A non-streamed Responses API answer: the chat chunks folded by the `CompletionAssembler` (as for chat), then
 * re-told as one Response object.
 */
export class ResponseAssembler {
  private readonly completion = new CompletionAssembler();

  constructor(private readonly meta: ResponseMeta) {}

  served(model: string): void {
    this.meta.model = model;
  }

  add(chunk: Record<string, unknown>): void {
    this.completion.add(chunk);
  }

  result(usage: TokenUsage | null): Record<string, unknown> {
    return completionToResponse(this.completion.result(usage), usage, this.meta);
  }
}

/** A `chat.completion` (its first choice) → the Response object. */
export function completionToResponse(completion: Record<string, unknown>, usage: TokenUsage | null, meta: ResponseMeta): Record<string, unknown> {
  const choice = ((completion.choices as Record<string, unknown>[] | undefined) ?? [])[0] ?? {};
  const message = (choice.message ?? {}) as Record<string, unknown>;
  const { status, incomplete_details } = statusOf((choice.finish_reason as string | undefined) ?? null);
  const calls = ((message.tool_calls as { id?: string; function: { name: string; arguments: string } }[] | undefined) ?? []).map((c) => ({
    ...(c.id ? { id: c.id } : {}),
    name: c.function.name,
    arguments: c.function.arguments,
  }));
  const output = outputItems(
    meta.ids,
    {
      content: typeof message.content === 'string' ? message.content : null,
      refusal: typeof message.refusal === 'string' ? message.refusal : null,
      reasoning: typeof message.reasoning_content === 'string' ? message.reasoning_content : null,
      toolCalls: calls,
    },
    status === 'completed' ? 'completed' : 'incomplete',
  );
  return responseObject(meta, { status, output, usage, incomplete_details });
}
