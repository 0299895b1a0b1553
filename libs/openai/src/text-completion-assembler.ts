import type { TokenUsage } from '@tokenflow/contracts';

interface TextChoice {
  index: number;
  text: string;
  logprobs: unknown;
  finish_reason: string | null;
}

/** Folds legacy `text_completion` stream chunks into the one `text_completion` a non-streamed request returns. */
export class TextCompletionAssembler {
  private id = '';
  private created = 0;
  private model = '';
  private readonly choices = new Map<number, TextChoice>();

  add(chunk: Record<string, unknown>): void {
    this.id ||= String(chunk.id ?? '');
    this.created ||= Number(chunk.created ?? 0);
    this.model ||= String(chunk.model ?? '');
    for (const c of (chunk.choices as Record<string, unknown>[] | undefined) ?? []) {
      const index = Number(c.index ?? 0);
      const acc = this.choices.get(index) ?? { index, text: '', logprobs: null, finish_reason: null };
      if (typeof c.text === 'string') acc.text += c.text;
      if (c.logprobs) acc.logprobs = c.logprobs;
      if (c.finish_reason) acc.finish_reason = String(c.finish_reason);
      this.choices.set(index, acc);
    }
  }

  result(usage: TokenUsage | null): Record<string, unknown> {
    const choices = [...this.choices.values()].sort((a, b) => a.index - b.index).map((c) => ({ ...c, finish_reason: c.finish_reason ?? 'stop' }));
    const out: Record<string, unknown> = { id: this.id, object: 'text_completion', created: this.created || Math.floor(Date.now() / 1000), model: this.model, choices };
    if (usage) out.usage = { prompt_tokens: usage.prompt_tokens, completion_tokens: usage.completion_tokens, total_tokens: usage.total_tokens };
    return out;
  }
}
