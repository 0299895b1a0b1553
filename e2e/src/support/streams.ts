import { strict as assert } from 'node:assert';

/** One streaming request as its client saw it, read as it arrives. */
export interface OpenStream {
  requestId: string | null;
  /** Resolves once the first content delta arrived (or the request failed). */
  started: Promise<void>;
  /** Every `data:` payload, once the response ended. */
  done: Promise<string[]>;
}

/** Opens a streaming chat request on `model` and reads it to its end in the background. */
export function openStream(baseUrl: string, key: string, model: string): OpenStream {
  let markStarted!: () => void;
  const started = new Promise<void>((resolve) => (markStarted = resolve));
  const out: OpenStream = { requestId: null, started, done: Promise.resolve([]) };
  out.done = (async () => {
    try {
      const res = await fetch(`${baseUrl}/v1/chat/completions`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` },
        body: JSON.stringify({ model, stream: true, messages: [{ role: 'user', content: 'tell me a long story' }] }),
        signal: AbortSignal.timeout(60_000),
      });
      out.requestId = res.headers.get('x-request-id');
      if (res.status !== 200) throw new Error(`${model}: HTTP ${res.status} ${await res.text()}`);
      let text = '';
      const decoder = new TextDecoder();
      for await (const part of res.body as unknown as AsyncIterable<Uint8Array>) {
        text += decoder.decode(part, { stream: true });
        if (text.includes('"content":"')) markStarted();
      }
      return sseData(text);
    } finally {
      markStarted();
    }
  })();
  // The test awaits `started` first: a failed request resolves it too, and `done` reports the failure.
  out.done.catch(() => undefined);
  return out;
}

/** The `data:` payloads of an SSE body (`[DONE]` included as a string). */
export function sseData(text: string): string[] {
  return text
    .split('\n\n')
    .map((b) => b.trim())
    .filter((b) => b.startsWith('data: '))
    .map((b) => b.slice(6));
}

/** How a stream ended: complete (`[DONE]`, no error), an error event (the last thing sent), or cut silently. */
export function verdict(events: string[]): 'complete' | 'error' | 'truncated' {
  const errorAt = events.findIndex((e) => e !== '[DONE]' && (JSON.parse(e) as { error?: unknown }).error !== undefined);
  if (errorAt >= 0) {
    assert.equal(errorAt, events.length - 1, `nothing may follow an error event: ${events.slice(errorAt).join(' | ')}`);
    return 'error';
  }
  return events.at(-1) === '[DONE]' ? 'complete' : 'truncated';
}
