import { TfError } from '@tokenflow/contracts';
import type { ChatCapability, CompletionsCapability, ParsedEvent, StreamDecoder } from './provider';

/** Legacy parameters with a chat equivalent, passed on as they are. */
const PASSED_ON = ['max_tokens', 'temperature', 'top_p', 'n', 'stop', 'presence_penalty', 'frequency_penalty', 'logit_bias', 'user', 'seed'] as const;

/**
 * Legacy Completions on a model whose provider has no completions endpoint for it (decision 0024): the prompt becomes
 * one user message, the chat stream comes back as `text_completion` chunks (`choices[].text`), so ingress assembles
 * and streams them like any other completions answer. Only what translates exactly is accepted: one text prompt, no
 * `suffix` (fill-in-the-middle), no `echo`, no `best_of` — those are the caller's 400 naming the model, never a
 * silently different answer.
 */
export function completionsViaChat(chat: ChatCapability): CompletionsCapability {
  return {
    buildRequest(attempt, body) {
      return chat.buildRequest(attempt, chatBodyOf(body, attempt.upstreamModel));
    },
    createDecoder: () => new ChatAsTextDecoder(chat.createDecoder()),
  };
}

/** The chat body for a legacy completions body (exported for its spec). */
export function chatBodyOf(body: Record<string, unknown>, model: string): Record<string, unknown> {
  const refuse = (param: string, what: string) =>
    new TfError('invalid_request', `The model '${model}' serves legacy completions through its chat API, which ${what}.`, { param });
  const prompt = promptText(body.prompt);
  if (prompt === null) throw refuse('prompt', 'takes one text prompt per request (not a list of prompts or token ids)');
  if (typeof body.suffix === 'string' && body.suffix !== '') throw refuse('suffix', 'has no suffix (fill-in-the-middle)');
  if (body.echo === true) throw refuse('echo', 'cannot echo the prompt');
  if (typeof body.best_of === 'number' && body.best_of > 1) throw refuse('best_of', 'has no best_of; ask for n completions instead');
  const out: Record<string, unknown> = { messages: [{ role: 'user', content: prompt }] };
  for (const key of PASSED_ON) if (body[key] !== undefined && body[key] !== null) out[key] = body[key];
  if (typeof body.logprobs === 'number') {
    out.logprobs = true;
    if (body.logprobs > 0) out.top_logprobs = Math.min(body.logprobs, 20);
  }
  return out;
}

/** A string, or a list of exactly one string; null for anything else. */
function promptText(prompt: unknown): string | null {
  if (typeof prompt === 'string') return prompt;
  if (Array.isArray(prompt) && prompt.length === 1 && typeof prompt[0] === 'string') return prompt[0];
  return null;
}

/** Legacy finish reasons are `stop`, `length` and `content_filter`. */
const FINISH: Record<string, string> = { stop: 'stop', length: 'length', content_filter: 'content_filter' };

/**
 * The provider's chat decoder, its chunks re-shaped as `text_completion` chunks. Reasoning-only and role-only chunks
 * carry no completion text and are not forwarded; usage and the end of the stream pass through unchanged. The chat
 * chunks themselves go along as `generated`: the tally bills the reasoning too (the provider charges for it) and
 * knows the stream produced output even while the client has seen none.
 */
export class ChatAsTextDecoder implements StreamDecoder {
  /** Text already sent per choice: the legacy logprobs' `text_offset`. */
  private readonly offsets = new Map<number, number>();

  constructor(private readonly chat: StreamDecoder) {}

  decode(data: string, event: string | undefined): ParsedEvent {
    const parsed = this.chat.decode(data, event);
    const chunks: Record<string, unknown>[] = [];
    for (const chunk of parsed.chunks) {
      const choices = (Array.isArray(chunk.choices) ? (chunk.choices as Record<string, unknown>[]) : []).flatMap((c) => this.choice(c));
      if (choices.length === 0) continue;
      chunks.push({ id: chunk.id, object: 'text_completion', created: chunk.created, model: chunk.model, choices });
    }
    return { ...parsed, chunks, generated: parsed.chunks };
  }

  private choice(c: Record<string, unknown> | null): Record<string, unknown>[] {
    if (!c || typeof c !== 'object') return [];
    const index = typeof c.index === 'number' ? c.index : 0;
    const delta = (c.delta ?? {}) as Record<string, unknown>;
    const text = typeof delta.content === 'string' ? delta.content : '';
    const finish = typeof c.finish_reason === 'string' ? (FINISH[c.finish_reason] ?? 'stop') : null;
    const logprobs = this.logprobs(index, c.logprobs);
    if (text === '' && finish === null && logprobs === null) return [];
    return [{ index, text, logprobs, finish_reason: finish }];
  }

  /** Chat logprobs (`content: [{token, logprob, top_logprobs}]`) → the legacy four parallel lists. */
  private logprobs(index: number, raw: unknown): Record<string, unknown[]> | null {
    const content = (raw as { content?: unknown } | null | undefined)?.content;
    if (!Array.isArray(content) || content.length === 0) return null;
    const out = { tokens: [] as unknown[], token_logprobs: [] as unknown[], top_logprobs: [] as unknown[], text_offset: [] as unknown[] };
    let offset = this.offsets.get(index) ?? 0;
    for (const entry of content as { token?: unknown; logprob?: unknown; top_logprobs?: unknown }[]) {
      const token = typeof entry?.token === 'string' ? entry.token : '';
      out.tokens.push(token);
      out.token_logprobs.push(typeof entry?.logprob === 'number' ? entry.logprob : null);
      const top: Record<string, unknown> = {};
      for (const alt of Array.isArray(entry?.top_logprobs) ? (entry.top_logprobs as { token?: unknown; logprob?: unknown }[]) : []) {
        if (typeof alt?.token === 'string') top[alt.token] = alt.logprob;
      }
      out.top_logprobs.push(top);
      out.text_offset.push(offset);
      offset += token.length;
    }
    this.offsets.set(index, offset);
    return out;
  }
}
