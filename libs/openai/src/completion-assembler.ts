import type { TokenUsage } from '@tokenflow/contracts';

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
 * content and reasoning concatenated, tool-call argument fragments joined by index, logprobs appended.
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
    for (const c of (chunk.choices as Record<string, unknown>[] | undefined) ?? []) this.addChoice(c);
  }

  private addChoice(c: Record<string, unknown>): void {
    const index = Number(c.index ?? 0);
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
    for (const tc of (d.tool_calls as Record<string, unknown>[] | undefined) ?? []) {
      const i = Number(tc.index ?? acc.toolCalls.length);
      const fn = (tc.function ?? {}) as { name?: string; arguments?: string };
      const slot = (acc.toolCalls[i] ??= { type: 'function', function: { name: '', arguments: '' } });
      if (typeof tc.id === 'string') slot.id = tc.id;
      if (fn.name) slot.function.name += fn.name;
      if (fn.arguments) slot.function.arguments += fn.arguments;
    }
    const lp = c.logprobs as { content?: unknown[] | null; refusal?: unknown[] | null } | null | undefined;
    if (lp) {
      acc.logprobs ??= { content: [] };
      if (lp.content) acc.logprobs.content = [...(acc.logprobs.content ?? []), ...lp.content];
    }
    if (c.finish_reason) acc.finishReason = String(c.finish_reason);
  }

  result(usage: TokenUsage | null): Record<string, unknown> {
    const choices = [...this.choices.values()]
      .sort((a, b) => a.index - b.index)
      .map((a) => {
        const message: Record<string, unknown> = { role: a.role, content: a.content, refusal: a.refusal };
        if (a.reasoning !== null) message.reasoning_content = a.reasoning;
        const calls = a.toolCalls.filter(Boolean);
        if (calls.length) message.tool_calls = calls;
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
