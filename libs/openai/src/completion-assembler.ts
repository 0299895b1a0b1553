import { TfError, type TokenUsage } from '@tokenflow/contracts';

/** Choices a request may ask for (`n` ≤ 128): an upstream choice index must be below this. */
export const MAX_CHOICES = 128;

/**
 * An upstream choice's `index` (absent means 0), or null when it is not an integer in [0, MAX_CHOICES). Indices key
 * per-choice state, so an upstream must not be able to choose how much of it there is.
 */
export function choiceIndexOf(raw: unknown): number | null {
  if (raw === undefined || raw === null) return 0;
  return typeof raw === 'number' && Number.isInteger(raw) && raw >= 0 && raw < MAX_CHOICES ? raw : null;
}

/**
 * A streamed tool call's `index` given the `seen` distinct calls of its choice so far: one of those, or the next new
 * one (`seen`, also when absent); null for anything else. Calls are numbered 0, 1, 2… in order, so a larger index
 * is an upstream error, never a reason to allocate.
 */
export function toolCallIndexOf(raw: unknown, seen: number): number | null {
  if (raw === undefined || raw === null) return seen;
  return typeof raw === 'number' && Number.isInteger(raw) && raw >= 0 && raw <= seen ? raw : null;
}

interface ToolCallAcc {
  id?: string;
  type: 'function';
  function: { name: string; arguments: string };
}

interface ChoiceAcc {
  index: number;
  role: string;
  content: string | null;
  reasoning: string | null;
  refusal: string | null;
  toolCalls: ToolCallAcc[];
  logprobs: { content: unknown[] | null; refusal?: unknown[] | null } | null;
  finishReason: string | null;
}

/**
 * Folds `chat.completion.chunk`s into the `chat.completion` OpenAI would have returned for the same request:
 * content and reasoning concatenated, tool-call argument fragments joined by index, logprobs appended. Each chunk
 * costs time in its own size only (never in what came before), and a choice or tool-call index the stream cannot
 * have is an upstream error.
 */
export class CompletionAssembler {
  private id = '';
  private created = 0;
  private model = '';
  private fingerprint: string | null | undefined;
  private readonly choices = new Map<number, ChoiceAcc>();

  add(chunk: Record<string, unknown>): void {
    this.id ||= String(chunk.id ?? '');
    this.created ||= Number(chunk.created ?? 0);
    this.model ||= String(chunk.model ?? '');
    if (chunk.system_fingerprint !== undefined) this.fingerprint = chunk.system_fingerprint as string | null;
    if (Array.isArray(chunk.choices)) for (const c of chunk.choices as Record<string, unknown>[]) if (c && typeof c === 'object') this.addChoice(c);
  }

  private addChoice(c: Record<string, unknown>): void {
    const index = choiceIndexOf(c.index);
    if (index === null) throw new TfError('upstream_error', 'The upstream sent an invalid choice index.');
    let acc = this.choices.get(index);
    if (!acc) {
      acc = { index, role: 'assistant', content: null, reasoning: null, refusal: null, toolCalls: [], logprobs: null, finishReason: null };
      this.choices.set(index, acc);
    }
    const d = (c.delta ?? {}) as Record<string, unknown>;
    if (typeof d.role === 'string') acc.role = d.role;
    if (typeof d.content === 'string') acc.content = (acc.content ?? '') + d.content;
    if (typeof d.reasoning_content === 'string') acc.reasoning = (acc.reasoning ?? '') + d.reasoning_content;
    if (typeof d.refusal === 'string') acc.refusal = (acc.refusal ?? '') + d.refusal;
    for (const tc of Array.isArray(d.tool_calls) ? (d.tool_calls as Record<string, unknown>[]) : []) {
      if (!tc || typeof tc !== 'object') continue;
      const i = toolCallIndexOf(tc.index, acc.toolCalls.length);
      if (i === null) throw new TfError('upstream_error', 'The upstream sent an invalid tool call index.');
      const fn = (tc.function ?? {}) as { name?: unknown; arguments?: unknown };
      const slot = (acc.toolCalls[i] ??= { type: 'function', function: { name: '', arguments: '' } });
      if (typeof tc.id === 'string') slot.id = tc.id;
      if (typeof fn.name === 'string') slot.function.name += fn.name;
      if (typeof fn.arguments === 'string') slot.function.arguments += fn.arguments;
    }
    const lp = c.logprobs as { content?: unknown[] | null; refusal?: unknown[] | null } | null | undefined;
    if (lp) {
      acc.logprobs ??= { content: [] };
      if (Array.isArray(lp.content)) appendAll((acc.logprobs.content ??= []), lp.content);
      if (Array.isArray(lp.refusal)) appendAll((acc.logprobs.refusal ??= []), lp.refusal);
    }
    if (c.finish_reason) acc.finishReason = String(c.finish_reason);
  }

  result(usage: TokenUsage | null): Record<string, unknown> {
    const choices = [...this.choices.values()]
      .sort((a, b) => a.index - b.index)
      .map((a) => {
        const message: Record<string, unknown> = { role: a.role, content: a.content, refusal: a.refusal };
        if (a.reasoning !== null) message.reasoning_content = a.reasoning;
        if (a.toolCalls.length) message.tool_calls = a.toolCalls;
        return { index: a.index, message, logprobs: a.logprobs, finish_reason: a.finishReason ?? 'stop' };
      });
    const out: Record<string, unknown> = {
      id: this.id,
      object: 'chat.completion',
      created: this.created || Math.floor(Date.now() / 1000),
      model: this.model,
      choices,
    };
    if (this.fingerprint !== undefined) out.system_fingerprint = this.fingerprint;
    if (usage) out.usage = usage;
    return out;
  }
}

/**
 * In place and one by one: re-copying the list per chunk (`[...old, ...new]`) is quadratic over a stream, and
 * `push(...items)` overflows the stack on a chunk of ~150k items.
 */
function appendAll(to: unknown[], items: readonly unknown[]): void {
  for (const item of items) to.push(item);
}
