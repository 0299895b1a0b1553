import { TfError } from '@tokenflow/contracts';
import { SseParser } from '@tokenflow/openai';
import type { StreamDecoder } from '../providers/provider';
import { ChunkGuard } from './chunk-guard';
import type { StreamTally } from './stream-tally';
import type { StreamWatchdog } from './stream-watchdog';

/** Upstream text handed to the SSE parser at once: a few dozen chunks at most. */
const FEED_SLICE = 16 * 1024;
/** Work this stream may do before other requests get the event loop (buffered reads never leave the microtask queue). */
const SLICE_MS = 4;
/** OpenAI chunks sent in one message at most. */
const MAX_BATCH = 256;
/** Leading chunks held back at most; past it they are forwarded (they say nothing, but must not pile up). */
const MAX_PENDING = 64;

export interface RelayTarget {
  watchdog: StreamWatchdog;
  tally: StreamTally;
  /**
   * Called with the OpenAI chunks of each slice of upstream text as soon as they are decoded (never held back
   * longer): one message for a burst, one per chunk when tokens trickle in.
   */
  emit(chunks: Record<string, unknown>[]): void;
}

/**
 * Reads an upstream SSE body through the provider's decoder until the provider says it is done. A stream that
 * ends without a finish or a done marker is an error: the client must never take a cut stream for a whole one.
 */
export async function relayStream(
  body: AsyncIterable<Buffer> & { destroy(err?: Error): unknown },
  decoder: StreamDecoder,
  { watchdog, tally, emit }: RelayTarget,
): Promise<void> {
  let done = false;
  let failure: TfError | null = null;
  // Chunks that say nothing yet (a role, an empty delta) wait for the first real one: until output exists, an
  // upstream failure (Anthropic's overloaded right after message_start) may still move on to another channel.
  let pending: Record<string, unknown>[] = [];
  const guard = new ChunkGuard();
  let decoded: Record<string, unknown>[] = [];
  // Whether the decoder re-shapes what the upstream generated (`ParsedEvent.generated`): the tally then observes that.
  let reshaped = false;
  const forward = (chunk: Record<string, unknown>) => {
    if (!reshaped) tally.observe(chunk);
    // A batch stays far below one NATS message, whatever an upstream's events expand to.
    if (decoded.push(chunk) >= MAX_BATCH) flush();
  };
  const flush = () => {
    if (decoded.length === 0) return;
    emit(decoded);
    decoded = [];
  };
  // Bounded (a line or an event past its cap is an upstream error) and linear for LF, CR and CRLF line endings.
  const parser = new SseParser({
    onEvent: (ev) => {
      if (done || failure) return;
      try {
        const parsed = decoder.decode(ev.data, ev.event);
        if (parsed.usage) tally.upstreamUsage = parsed.usage;
        if (parsed.generated) {
          reshaped = true;
          // Billed and counted as generated, leading empty chunks aside (as the held ones below: still retryable).
          for (const chunk of parsed.generated) if (tally.chunks > 0 || saysSomething(chunk)) tally.observe(chunk);
        }
        for (const chunk of parsed.chunks) {
          guard.check(chunk);
          if (tally.chunks === 0 && pending.length < MAX_PENDING && !saysSomething(chunk)) {
            pending.push(chunk);
            continue;
          }
          for (const held of pending) forward(held);
          pending = [];
          forward(chunk);
        }
        if (parsed.done) {
          for (const held of pending) forward(held);
          pending = [];
          done = true;
        }
      } catch (err) {
        failure = err instanceof TfError ? err : new TfError('upstream_error', 'The upstream stream could not be read.');
      }
    },
  });
  const text = new TextDecoder();
  let sliceStart = performance.now();
  for await (const buf of body) {
    watchdog.sawData();
    const chunk = text.decode(buf, { stream: true });
    for (let at = 0; at < chunk.length && !done; at += FEED_SLICE) {
      try {
        parser.feed(at === 0 && chunk.length <= FEED_SLICE ? chunk : chunk.slice(at, at + FEED_SLICE));
      } catch (err) {
        // A line or an event past the parser's caps (`SseLimitError`): refused, not buffered.
        failure ??= err instanceof TfError ? err : new TfError('upstream_error', 'The upstream stream could not be read.');
      }
      // What this slice decoded goes out now, even when the stream then fails: the client may already have it.
      flush();
      if (failure) {
        body.destroy();
        throw failure;
      }
      if (performance.now() - sliceStart > SLICE_MS) {
        await new Promise<void>((resolve) => setImmediate(resolve));
        sliceStart = performance.now();
      }
    }
    if (done) break;
  }
  if (!done && !tally.sawFinish) {
    throw new TfError('upstream_error', 'The upstream closed the stream before it was complete.', { retryable: tally.chunks === 0 });
  }
}

/** Whether a chunk carries output or an ending (not only a role or an empty string). */
function saysSomething(chunk: Record<string, unknown>): boolean {
  for (const c of (chunk.choices as Record<string, unknown>[] | undefined) ?? []) {
    if (c.finish_reason || (typeof c.text === 'string' && c.text)) return true;
    const d = (c.delta ?? {}) as Record<string, unknown>;
    if ((typeof d.content === 'string' && d.content) || (typeof d.reasoning_content === 'string' && d.reasoning_content)) return true;
    if (d.refusal || (Array.isArray(d.tool_calls) && d.tool_calls.length > 0) || d.function_call) return true;
  }
  return false;
}
