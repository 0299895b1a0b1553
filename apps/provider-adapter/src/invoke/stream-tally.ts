import type { TokenUsage } from '@tokenflow/contracts';
import type { TokenCounter } from '@tokenflow/openai';

/**
 * What has been generated so far on one upstream stream: enough to bill it if the upstream never reports usage
 * (or the stream is cut short), and to tell a finished stream from a broken one.
 */
export class StreamTally {
  private text = '';
  chunks = 0;
  sawFinish = false;
  upstreamUsage: TokenUsage | null = null;
  firstChunkAt: number | null = null;

  observe(chunk: Record<string, unknown>): void {
    this.chunks++;
    if (this.firstChunkAt === null) this.firstChunkAt = Date.now();
    for (const choice of (chunk.choices as Record<string, unknown>[] | undefined) ?? []) {
      if (choice.finish_reason) this.sawFinish = true;
      // Legacy completions stream `text` on the choice itself.
      if (typeof choice.text === 'string') this.text += choice.text;
      const delta = choice.delta as Record<string, unknown> | undefined;
      if (!delta) continue;
      if (typeof delta.content === 'string') this.text += delta.content;
      if (typeof delta.reasoning_content === 'string') this.text += delta.reasoning_content;
      for (const call of (delta.tool_calls as Record<string, unknown>[] | undefined) ?? []) {
        const fn = call.function as { name?: string; arguments?: string } | undefined;
        if (fn?.name) this.text += fn.name;
        if (fn?.arguments) this.text += fn.arguments;
      }
    }
  }

  /**
   * Upstream usage when we have it; otherwise a local count, flagged as such: the prompt as ingress counted it, the
   * generated text by the tokenizer (off the event loop when it is long).
   */
  async usage(promptTokens: number, counter: TokenCounter): Promise<{ usage: TokenUsage; source: 'upstream' | 'estimated' }> {
    const upstream = this.upstreamUsage && sane(this.upstreamUsage);
    // An upstream that reports no output for a stream that carried some is not believed (it would bill nothing).
    if (upstream && !(upstream.completion_tokens === 0 && this.text.length > 0)) return { usage: upstream, source: 'upstream' };
    const prompt = promptTokens;
    const completion = this.text ? await counter.text(this.text) : 0;
    return {
      usage: { prompt_tokens: prompt, completion_tokens: completion, total_tokens: prompt + completion },
      source: 'estimated',
    };
  }
}

const count = (v: unknown): number | null => (typeof v === 'number' && Number.isSafeInteger(v) && v >= 0 && v < 2 ** 31 ? v : null);

/** Upstream usage as billing can trust it: whole, non-negative token counts, or nothing. */
function sane(u: TokenUsage): TokenUsage | null {
  const prompt = count(u.prompt_tokens);
  const completion = count(u.completion_tokens);
  if (prompt === null || completion === null) return null;
  const out: TokenUsage = { ...u, prompt_tokens: prompt, completion_tokens: completion, total_tokens: prompt + completion };
  if (u.prompt_tokens_details) {
    out.prompt_tokens_details = { ...u.prompt_tokens_details, cached_tokens: Math.min(count(u.prompt_tokens_details.cached_tokens) ?? 0, prompt) };
  }
  if (u.completion_tokens_details) {
    const reasoning = count(u.completion_tokens_details.reasoning_tokens) ?? 0;
    out.completion_tokens_details = { ...u.completion_tokens_details, reasoning_tokens: Math.min(reasoning, completion) };
  }
  return out;
}
