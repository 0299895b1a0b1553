import type { TokenUsage } from '@tokenflow/contracts';
import { estimateCompletionTokens, estimatePromptTokens } from '@tokenflow/openai';

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

  /** Upstream usage when we have it; otherwise a local count, flagged as such. */
  usage(body: Record<string, unknown>): { usage: TokenUsage; source: 'upstream' | 'estimated' } {
    if (this.upstreamUsage) return { usage: this.upstreamUsage, source: 'upstream' };
    const prompt = estimatePromptTokens(body);
    const completion = estimateCompletionTokens(this.text);
    return {
      usage: { prompt_tokens: prompt, completion_tokens: completion, total_tokens: prompt + completion },
      source: 'estimated',
    };
  }
}
