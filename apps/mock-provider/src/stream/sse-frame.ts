/**
 * `head` frames open a response or a block (never paced, never a place to break), `token` frames carry generated
 * output (paced by `tps=`, counted by `fail-after=`), `tail` frames close blocks and the response.
 */
export type FrameRole = 'head' | 'token' | 'tail';

/** One SSE event, already encoded, with the blank line that ends it. */
export interface SseFrame {
  role: FrameRole;
  text: string;
}

/** `data: {...}`: the OpenAI-style stream, where the JSON carries its own type. */
export function dataFrame(role: FrameRole, body: unknown): SseFrame {
  return { role, text: `data: ${JSON.stringify(body)}\n\n` };
}

/** `event: name` + `data: {...}`: Anthropic's stream, where the event name repeats the JSON's `type`. */
export function eventFrame(role: FrameRole, event: string, body: unknown): SseFrame {
  return { role, text: `event: ${event}\ndata: ${JSON.stringify(body)}\n\n` };
}

/** How a provider's stream ends, breaks and idles, beyond its frames. */
export interface SseEncoding {
  /** Written after the last frame of a complete stream (`data: [DONE]`); Anthropic has none. */
  done?: string;
  /** A frame cut mid-JSON, then the body ends (`fail=malformed`). */
  malformed: string;
  /** The provider's in-stream error report, then the body ends (`fail=stream-error`); fresh ids each time. */
  error: () => string;
  /** A comment sent while the client waits for the first token (DeepSeek's `: keep-alive`). */
  keepAlive?: string;
}
