import type { TokenUsage } from '@tokenflow/contracts';
import { outputItems, type ResponseMeta, responseObject, statusOf } from './response-object';
import { ResponseStreamEncoder } from './response-stream.encoder';

/**
 * A non-streamed Responses API answer: the chat chunks folded exactly as the stream tells them (the same items in the
 * same order, with the same ids), without the events — so a streamed and a non-streamed answer to the same chunks are
 * the same Response.
 */
export class ResponseAssembler {
  private readonly fold: ResponseStreamEncoder;

  constructor(private readonly meta: ResponseMeta) {
    this.fold = new ResponseStreamEncoder(meta, { events: false });
  }

  served(model: string): void {
    this.meta.model = model;
  }

  add(chunk: Record<string, unknown>): void {
    this.fold.push(chunk);
  }

  result(usage: TokenUsage | null): Record<string, unknown> {
    this.fold.finish(usage);
    return this.fold.final!;
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
