import { TfError, type TokenUsage } from '@tokenflow/contracts';
import { choiceIndexOf } from './completion-assembler';

/** Legacy completions' logprobs: four parallel lists, each chunk carrying the entries of its own tokens. */
interface TextLogprobs {
  tokens: unknown[];
  token_logprobs: unknown[];
  top_logprobs: unknown[];
  text_offset: unknown[];
}

const LOGPROB_LISTS = ['tokens', 'token_logprobs', 'top_logprobs', 'text_offset'] as const;

interface TextChoice {
  index: number;
  text: string;
  logprobs: TextLogprobs | null;
  finish_reason: string | null;
}

/**
 * Folds legacy `text_completion` stream chunks into the one `text_completion` a non-streamed request returns. Each
 * chunk costs time in its own size only, and a choice index the request cannot have is an upstream error.
 */
export class TextCompletionAssembler {
  private id = '';
  private created = 0;
  private model = '';
  private readonly choices = new Map<number, TextChoice>();

  add(chunk: Record<string, unknown>): void {
    this.id ||= String(chunk.id ?? '');
    this.created ||= Number(chunk.created ?? 0);
    this.model ||= String(chunk.model ?? '');
    for (const c of Array.isArray(chunk.choices) ? (chunk.choices as Record<string, unknown>[]) : []) {
      if (!c || typeof c !== 'object') continue;
      const index = choiceIndexOf(c.index);
      if (index === null) throw new TfError('upstream_error', 'The upstream sent an invalid choice index.');
      let acc = this.choices.get(index);
      if (!acc) {
        acc = { index, text: '', logprobs: null, finish_reason: null };
        this.choices.set(index, acc);
      }
      if (typeof c.text === 'string') acc.text += c.text;
      if (c.logprobs && typeof c.logprobs === 'object') appendLogprobs((acc.logprobs ??= emptyLogprobs()), c.logprobs as Record<string, unknown>);
      if (c.finish_reason) acc.finish_reason = String(c.finish_reason);
    }
  }

  result(usage: TokenUsage | null): Record<string, unknown> {
    const choices = [...this.choices.values()].sort((a, b) => a.index - b.index).map((c) => ({ ...c, finish_reason: c.finish_reason ?? 'stop' }));
    const out: Record<string, unknown> = { id: this.id, object: 'text_completion', created: this.created || Math.floor(Date.now() / 1000), model: this.model, choices };
    if (usage) out.usage = { prompt_tokens: usage.prompt_tokens, completion_tokens: usage.completion_tokens, total_tokens: usage.total_tokens };
    return out;
  }
}

const emptyLogprobs = (): TextLogprobs => ({ tokens: [], token_logprobs: [], top_logprobs: [], text_offset: [] });

/** Appended in place, one by one: a copy per chunk would be quadratic over the stream. */
function appendLogprobs(to: TextLogprobs, from: Record<string, unknown>): void {
  for (const key of LOGPROB_LISTS) {
    const items = from[key];
    if (Array.isArray(items)) for (const item of items) to[key].push(item);
  }
}
