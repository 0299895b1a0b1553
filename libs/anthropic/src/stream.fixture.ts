import Anthropic from '@anthropic-ai/sdk';
import type { Message, MessageCreateParamsNonStreaming } from '@anthropic-ai/sdk/resources/messages';
import type { AnthropicStreamEvent } from './anthropic-sse';

/** An OpenAI `chat.completion.chunk` for choice 0, as the pipeline yields them. */
export function chunk(delta: Record<string, unknown>, finishReason: string | null = null): Record<string, unknown> {
  return { id: 'chatcmpl-7', object: 'chat.completion.chunk', created: 1_700_000_000, model: 'deepseek-chat', choices: [{ index: 0, delta, finish_reason: finishReason }] };
}

export function toolDelta(index: number, fn: { name?: string; arguments?: string }, id?: string): Record<string, unknown> {
  return chunk({ tool_calls: [{ index, ...(id && { id, type: 'function' }), function: fn }] });
}

/**
 * SSE text → events, checking the framing on the way: an `event:` line naming the data's own type, one `data:`
 * line, a blank line after each.
 */
export function parseSse(sse: string): AnthropicStreamEvent[] {
  assert(sse.endsWith('\n\n'), 'every frame ends with a blank line');
  return sse
    .slice(0, -2)
    .split('\n\n')
    .map((frame) => {
      const m = /^event: ([a-z_]+)\ndata: (.+)$/.exec(frame);
      assert(m, `malformed frame: ${JSON.stringify(frame)}`);
      const data = JSON.parse(m[2]) as AnthropicStreamEvent;
      assert(data.type === m[1], `event ${m[1]} carries data of type ${data.type}`);
      return data;
    });
}

function assert(ok: unknown, message: string): asserts ok {
  if (!ok) throw new Error(message);
}

/** The official SDK over a canned HTTP response: what a real client would make of our bytes. */
export function sdkClient(status: number, body: string, contentType: string): Anthropic {
  return new Anthropic({
    apiKey: 'test-key',
    maxRetries: 0,
    fetch: async () => new Response(body, { status, headers: { 'content-type': contentType, 'request-id': 'req_test' } }),
  });
}

export const SDK_PARAMS: MessageCreateParamsNonStreaming = { model: 'deepseek-chat', max_tokens: 1_024, messages: [{ role: 'user', content: 'Hi' }] };

/** The Message the SDK's `MessageStream` accumulates from our SSE, without the helper's own `parsed_output`. */
export async function sdkFinalMessage(sse: string): Promise<Message> {
  const final = await sdkClient(200, sse, 'text/event-stream').messages.stream(SDK_PARAMS).finalMessage();
  const { parsed_output: _helper, ...message } = final as Message & { parsed_output?: unknown };
  return JSON.parse(JSON.stringify(message)) as Message;
}
