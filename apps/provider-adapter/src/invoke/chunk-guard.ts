import { TfError } from '@tokenflow/contracts';
import { choiceIndexOf, MAX_CHOICES, toolCallIndexOf } from '@tokenflow/openai';

/**
 * One attempt's check of every decoded chunk before it goes out: a choice index in [0, 128), and tool calls numbered
 * 0, 1, 2… per choice (an index is one already seen or the next). Ingress keys state on both, so a stream that
 * breaks this is an upstream error here, where another channel may still be tried, not an allocation downstream.
 * A few comparisons per chunk: it runs on the hot path.
 */
export class ChunkGuard {
  /** Distinct tool calls seen per choice index. */
  private readonly toolCalls = new Uint32Array(MAX_CHOICES);

  check(chunk: Record<string, unknown>): void {
    const choices = chunk.choices;
    if (!Array.isArray(choices)) return;
    for (const c of choices as (Record<string, unknown> | null)[]) {
      if (!c || typeof c !== 'object') continue;
      const index = choiceIndexOf(c.index);
      if (index === null) throw invalid('choice');
      const calls = (c.delta as Record<string, unknown> | undefined)?.tool_calls;
      if (!Array.isArray(calls)) continue;
      for (const call of calls as (Record<string, unknown> | null)[]) {
        if (!call || typeof call !== 'object') continue;
        const seen = this.toolCalls[index];
        const i = toolCallIndexOf(call.index, seen);
        if (i === null) throw invalid('tool call');
        if (i === seen) this.toolCalls[index] = seen + 1;
      }
    }
  }
}

// Retryable as every unreadable stream is: the relay's caller only retries while nothing went out.
const invalid = (what: string) => new TfError('upstream_error', `The upstream sent an invalid ${what} index.`, { retryable: true });
