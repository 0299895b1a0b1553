import { randomUUID } from 'node:crypto';
import { TfError, type TokenUsage } from '@tokenflow/contracts';
import { MAX_CHOICES } from '@tokenflow/openai';
import type { ParsedEvent, StreamDecoder } from '../provider';
import { isObject } from './chat-request.transform';
import { zhipuStreamError } from './error.mapper';

type Json = Record<string, unknown>;

/**
 * Zhipu's finish reasons (chat API reference, `ChatCompletionChunk.finish_reason`) → OpenAI's. `sensitive` (the
 * content filter cut the output) is OpenAI's `content_filter`; `model_context_window_exceeded` is `length`.
 * `network_error` ("模型推理异常") is not a finish at all: the decoder throws a retryable error instead.
 */
const FINISH: Readonly<Record<string, string>> = {
  stop: 'stop',
  length: 'length',
  tool_calls: 'tool_calls',
  sensitive: 'content_filter',
  model_context_window_exceeded: 'length',
};

const MAX_ID_LENGTH = 256;

interface ChoiceState {
  /** The first chunk of a choice carries `role`, as OpenAI's does; Zhipu repeats it on every chunk. */
  started: boolean;
  /** A finish reason seen on a chunk that was not the last one (held back, see `decode`). */
  pendingFinish: string | null;
  finished: boolean;
  nextToolIndex: number;
  toolById: Map<string, number>;
  toolByUpstreamIndex: Map<number, number>;
}

/**
 * Zhipu's SSE (OpenAI-like chunks, `data: [DONE]`) → OpenAI `chat.completion.chunk`s. One decoder per attempt.
 *
 * What differs from OpenAI, and what is done about it:
 * - Chunks lack `object`, repeat `role` on every delta and send `content: ""` beside reasoning or at the end: the
 *   output has OpenAI's shape (`id`, `object`, `created`, `model`, `choices[{index, delta, finish_reason}]`), role
 *   on the first delta only, and no empty deltas.
 * - Tool calls arrive whole, one chunk each, sometimes with `index: -1`: each gets our own running `index`,
 *   `type: 'function'`, an `id` and string `arguments`. Fragments (`tool_stream`) are continued by id or index.
 * - `finish_reason` is repeated on every tool-call chunk and again on the last chunk, which carries `usage`: a
 *   finish is only emitted on the last chunk (or at `[DONE]`), once per choice.
 * - `usage` (with `prompt_tokens_details.cached_tokens`) comes on that last chunk; it is returned as usage and never
 *   forwarded inside a chunk. A chunk with no choices (usage only) forwards nothing.
 * - `reasoning_content` deltas (GLM thinking models) pass through as `delta.reasoning_content`.
 * - An `error` object in the stream and `finish_reason: network_error` throw; so does a chunk that is not JSON.
 */
export class ZhipuStreamDecoder implements StreamDecoder {
  private id: string | undefined;
  private created: number | undefined;
  private model: string | undefined;
  private readonly choices = new Map<number, ChoiceState>();

  decode(data: string, _event?: string): ParsedEvent {
    const text = data.trim();
    if (text === '[DONE]') return { chunks: this.flushFinishes(), done: true };
    if (!text) return { chunks: [] };
    const chunk = parseChunk(text);
    if (chunk.error !== undefined && chunk.error !== null) throw zhipuStreamError(chunk.error);
    this.remember(chunk);
    const usage = normalizeZhipuUsage(chunk.usage);
    // Zhipu sends usage on its last chunk only: that is where the held-back finish reasons belong.
    const last = usage !== undefined;
    const choices = (Array.isArray(chunk.choices) ? chunk.choices : []).filter(isObject);
    const out = choices.map((c) => this.choice(c, last)).filter((c): c is Json => c !== null);
    const chunks = out.length ? [this.envelope(out)] : [];
    if (last) chunks.push(...this.flushFinishes());
    return usage ? { chunks, usage } : { chunks };
  }

  private choice(raw: Json, last: boolean): Json | null {
    const index = typeof raw.index === 'number' && Number.isInteger(raw.index) && raw.index >= 0 ? raw.index : 0;
    // Per-choice state is kept, and walked on every usage chunk: the upstream does not get to choose its size.
    if (index >= MAX_CHOICES) throw new TfError('upstream_error', 'The upstream sent an invalid choice index.', { retryable: true });
    const state = this.state(index);
    const finish = finishReason(raw.finish_reason);
    const delta = this.delta(isObject(raw.delta) ? raw.delta : {}, state);
    let finishOut: string | null = null;
    if (!state.finished) {
      if (finish) state.pendingFinish = finish;
      if (last && state.pendingFinish) {
        finishOut = state.pendingFinish;
        state.pendingFinish = null;
        state.finished = true;
      }
    }
    if (state.started && finishOut === null && Object.keys(delta).length === 0) return null;
    state.started = true;
    return { index, delta, finish_reason: finishOut };
  }

  private delta(raw: Json, state: ChoiceState): Json {
    const out: Json = {};
    const first = !state.started;
    if (first) out.role = 'assistant';
    const content = contentText(raw.content);
    if (content !== undefined && (content !== '' || first)) out.content = content;
    if (typeof raw.reasoning_content === 'string' && raw.reasoning_content !== '') out.reasoning_content = raw.reasoning_content;
    const toolCalls = this.toolCalls(raw.tool_calls, state);
    if (toolCalls.length) out.tool_calls = toolCalls;
    if (isObject(raw.audio)) out.audio = raw.audio;
    return out;
  }

  private toolCalls(raw: unknown, state: ChoiceState): Json[] {
    const out: Json[] = [];
    for (const call of (Array.isArray(raw) ? raw : []).filter(isObject)) {
      if (typeof call.type === 'string' && call.type !== 'function') continue;
      const fn = isObject(call.function) ? call.function : {};
      const id = typeof call.id === 'string' && call.id ? call.id : undefined;
      const upstreamIndex = typeof call.index === 'number' && Number.isInteger(call.index) && call.index >= 0 ? call.index : undefined;
      const name = typeof fn.name === 'string' && fn.name ? fn.name : undefined;
      const args = typeof fn.arguments === 'string' ? fn.arguments : fn.arguments === undefined || fn.arguments === null ? undefined : JSON.stringify(fn.arguments);
      const known = id !== undefined ? state.toolById.get(id) : upstreamIndex !== undefined ? state.toolByUpstreamIndex.get(upstreamIndex) : undefined;
      if (known !== undefined) {
        // A later fragment of a call already started (tool_stream): only what it adds.
        if (args === undefined && name === undefined) continue;
        const fnOut: Json = {};
        if (name !== undefined) fnOut.name = name;
        fnOut.arguments = args ?? '';
        out.push({ index: known, function: fnOut });
        continue;
      }
      const index = state.nextToolIndex++;
      if (id !== undefined) state.toolById.set(id, index);
      if (upstreamIndex !== undefined) state.toolByUpstreamIndex.set(upstreamIndex, index);
      out.push({ index, id: id ?? `call_${randomUUID().replace(/-/g, '')}`, type: 'function', function: { name: name ?? '', arguments: args ?? '' } });
    }
    return out;
  }

  /** Finish reasons still held back (no usage chunk came): emitted as OpenAI's closing chunk. */
  private flushFinishes(): Json[] {
    const closing: Json[] = [];
    for (const [index, state] of this.choices) {
      if (state.finished || !state.pendingFinish) continue;
      closing.push({ index, delta: state.started ? {} : { role: 'assistant' }, finish_reason: state.pendingFinish });
      state.pendingFinish = null;
      state.finished = true;
      state.started = true;
    }
    return closing.length ? [this.envelope(closing)] : [];
  }

  private envelope(choices: Json[]): Json {
    this.id ??= `chatcmpl-${randomUUID().replace(/-/g, '')}`;
    this.created ??= Math.floor(Date.now() / 1000);
    return { id: this.id, object: 'chat.completion.chunk', created: this.created, model: this.model ?? '', choices };
  }

  private remember(chunk: Json): void {
    // Every chunk repeats the first id: a real one is short, a longer one is cut rather than copied into each.
    if (this.id === undefined && typeof chunk.id === 'string' && chunk.id) this.id = chunk.id.slice(0, MAX_ID_LENGTH);
    if (this.created === undefined && typeof chunk.created === 'number') this.created = chunk.created;
    if (this.model === undefined && typeof chunk.model === 'string' && chunk.model) this.model = chunk.model;
  }

  private state(index: number): ChoiceState {
    let state = this.choices.get(index);
    if (!state) {
      state = { started: false, pendingFinish: null, finished: false, nextToolIndex: 0, toolById: new Map(), toolByUpstreamIndex: new Map() };
      this.choices.set(index, state);
    }
    return state;
  }
}

function parseChunk(text: string): Json {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    parsed = undefined;
  }
  if (!isObject(parsed)) throw new TfError('upstream_error', 'The upstream sent a malformed stream chunk.', { retryable: true });
  return parsed;
}

function finishReason(raw: unknown): string | null {
  if (typeof raw !== 'string' || !raw) return null;
  if (raw === 'network_error') {
    throw new TfError('upstream_error', 'The upstream model failed while generating (Zhipu finish_reason network_error).', { retryable: true });
  }
  // A reason Zhipu adds later still ends the choice; OpenAI clients only know OpenAI's reasons.
  return FINISH[raw] ?? 'stop';
}

/** A delta's content: a string, or (GLM-4V) an array of `{type: 'text', text}` parts. */
function contentText(raw: unknown): string | undefined {
  if (typeof raw === 'string') return raw;
  if (!Array.isArray(raw)) return undefined;
  return raw
    .filter(isObject)
    .map((p) => (typeof p.text === 'string' ? p.text : ''))
    .join('');
}

const count = (v: unknown): number | undefined => (typeof v === 'number' && Number.isFinite(v) && v >= 0 ? Math.round(v) : undefined);

/**
 * Zhipu's usage (`prompt_tokens`, `completion_tokens`, `total_tokens`, `prompt_tokens_details.cached_tokens`, and
 * `completion_tokens_details.reasoning_tokens` on thinking models) → OpenAI's shape. Total is prompt + completion.
 */
export function normalizeZhipuUsage(raw: unknown): TokenUsage | undefined {
  if (!isObject(raw)) return undefined;
  const prompt = count(raw.prompt_tokens);
  const completion = count(raw.completion_tokens);
  if (prompt === undefined || completion === undefined) return undefined;
  const usage: TokenUsage = { prompt_tokens: prompt, completion_tokens: completion, total_tokens: prompt + completion };
  const cached = count(isObject(raw.prompt_tokens_details) ? raw.prompt_tokens_details.cached_tokens : undefined);
  if (cached !== undefined) usage.prompt_tokens_details = { cached_tokens: Math.min(cached, prompt) };
  const reasoning = count(isObject(raw.completion_tokens_details) ? raw.completion_tokens_details.reasoning_tokens : undefined);
  if (reasoning !== undefined) usage.completion_tokens_details = { reasoning_tokens: Math.min(reasoning, completion) };
  return usage;
}
