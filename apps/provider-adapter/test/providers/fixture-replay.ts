import type { TokenUsage } from '@tokenflow/contracts';
import { SseParser } from '@tokenflow/openai';
import type { StreamDecoder } from '../../src/providers/provider';

export interface Replayed {
  chunks: Record<string, unknown>[];
  usage: TokenUsage | undefined;
  done: boolean;
}

/** Feeds a recorded SSE body through a decoder the way the adapter does (test support for the fixture specs). */
export function replay(decoder: StreamDecoder, sse: string): Replayed {
  const out: Replayed = { chunks: [], usage: undefined, done: false };
  const parser = new SseParser({
    onEvent: (ev) => {
      if (out.done) return;
      const parsed = decoder.decode(ev.data, ev.event);
      out.chunks.push(...parsed.chunks);
      if (parsed.usage) out.usage = parsed.usage;
      if (parsed.done) out.done = true;
    },
  });
  parser.feed(sse);
  return out;
}

/** `data: <json>` lines as a provider sends them. */
export const sseOf = (...events: (string | Record<string, unknown>)[]): string =>
  events.map((e) => `data: ${typeof e === 'string' ? e : JSON.stringify(e)}\n\n`).join('');
