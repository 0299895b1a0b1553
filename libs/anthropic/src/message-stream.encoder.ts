import type { Message, RawContentBlockStartEvent } from '@anthropic-ai/sdk/resources/messages';
import type { TokenUsage } from '@tokenflow/contracts';
import { estimateCompletionTokens } from '@tokenflow/openai';
import type { ErrorLike } from './anthropic-error';
import { anthropicErrorEvent, sseEvent } from './anthropic-sse';
import { JsonCompletionTracker } from './json-completion.tracker';
import { toDeltaUsage, toMessageId, toStopReason, toUsage } from './response-mapping';

export interface MessageStreamEncoderOptions {
  /** Our request id; `msg_` is put in front when missing. */
  id: string;
  /** The model name the client asked for, echoed back as Anthropic does. */
  model: string;
  /** Prompt tokens estimated before the call; `message_start` reports them, `message_delta` the real count. */
  inputTokensEstimate: number;
}

interface ToolCall {
  id: string;
  name: string;
  /** Arguments received while pending, sent when the block opens. */
  args: string;
  /** Whether the arguments so far are complete JSON, followed fragment by fragment (never re-parsed). */
  json: JsonCompletionTracker;
  state: 'pending' | 'live' | 'closed';
}

interface OpenBlock {
  index: number;
  type: RawContentBlockStartEvent['content_block']['type'];
  call?: ToolCall;
}

/**
 * OpenAI `chat.completion.chunk`s → Anthropic Messages SSE, in Anthropic's order: `message_start`, `ping`, then
 * content blocks numbered 0, 1, 2… as they open (thinking from `reasoning_content`, text, one tool_use per OpenAI
 * tool-call index), each closed when the next opens, then `message_delta` and `message_stop`.
 *
 * Anthropic blocks never interleave, but OpenAI tool calls may: a provider can stream fragments of call 0 and
 * call 1 alternately. So a call opens its block only when the call being streamed has complete JSON arguments
 * (it cannot grow any more); until then its id, name and fragments wait, and are sent as one `input_json_delta`
 * when it opens, at the latest at `finish`. Usual sequential streams stay live, fragment by fragment.
 *
 * Every method returns the SSE text to write (possibly ''); nothing is written after `finish` or `error`.
 */
export class MessageStreamEncoder {
  private readonly id: string;
  private started = false;
  private ended = false;
  private blockCount = 0;
  private open: OpenBlock | null = null;
  private readonly calls = new Map<number, ToolCall>();
  /** Calls still pending, in the order they appeared; those before `waitingFrom` have opened. */
  private waiting: ToolCall[] = [];
  private waitingFrom = 0;
  private usedTools = false;
  private finishReason: string | null = null;
  private chunkUsage: TokenUsage | null = null;
  private generated = '';

  constructor(private readonly opts: MessageStreamEncoderOptions) {
    this.id = toMessageId(opts.id);
  }

  /** `message_start` and a first `ping`; `push` calls it, ingress may call it first to answer sooner. */
  start(): string {
    if (this.started) return '';
    this.started = true;
    const message: Message = {
      id: this.id,
      type: 'message',
      role: 'assistant',
      model: this.opts.model,
      content: [],
      stop_reason: null,
      stop_sequence: null,
      stop_details: null,
      container: null,
      diagnostics: null,
      usage: toUsage(null, { input: this.opts.inputTokensEstimate, output: 0 }),
    };
    return sseEvent({ type: 'message_start', message }) + sseEvent({ type: 'ping' });
  }

  /** A keep-alive for long silences (e.g. while a reasoning model thinks without streaming it). */
  ping(): string {
    return this.ended ? '' : sseEvent({ type: 'ping' });
  }

  push(chunk: Record<string, unknown>): string {
    if (this.ended) return '';
    let out = this.start();
    if (chunk.usage && typeof chunk.usage === 'object') this.chunkUsage = chunk.usage as TokenUsage;
    const choices = Array.isArray(chunk.choices) ? (chunk.choices as Record<string, unknown>[]) : [];
    // One answer per Anthropic request: `n` is never sent, so only choice 0 exists.
    const choice = choices.find((c) => Number(c.index ?? 0) === 0);
    if (!choice) return out;
    const d = (choice.delta ?? {}) as Record<string, unknown>;
    if (typeof d.reasoning_content === 'string' && d.reasoning_content) out += this.delta('thinking', d.reasoning_content);
    if (typeof d.content === 'string' && d.content) out += this.delta('text', d.content);
    if (typeof d.refusal === 'string' && d.refusal) out += this.delta('text', d.refusal);
    if (Array.isArray(d.tool_calls)) for (const tc of d.tool_calls as Record<string, unknown>[]) out += this.toolCall(tc);
    if (choice.finish_reason) this.finishReason = String(choice.finish_reason);
    return out;
  }

  /**
   * Closes the stream. `usage` is the pipeline's final usage (else any usage chunk seen, else estimates);
   * `finishReason` defaults to the one the chunks carried.
   */
  finish(usage?: TokenUsage | null, finishReason?: string | null): string {
    if (this.ended) return '';
    const out = this.start() + this.openWaitingCalls(true) + this.closeBlock();
    this.ended = true;
    const final = usage ?? this.chunkUsage;
    const estimate = { input: this.opts.inputTokensEstimate, output: final ? 0 : estimateCompletionTokens(this.generated) };
    const stopReason = toStopReason(finishReason ?? this.finishReason, this.usedTools);
    return (
      out +
      sseEvent({
        type: 'message_delta',
        delta: { stop_reason: stopReason, stop_sequence: null, stop_details: null, container: null },
        usage: toDeltaUsage(final, estimate),
      }) +
      sseEvent({ type: 'message_stop' })
    );
  }

  /** A failure after the 200 went out: Anthropic's `error` event, which the SDK raises as an APIError. */
  error(err: ErrorLike): string {
    if (this.ended) return '';
    this.ended = true;
    return anthropicErrorEvent(err);
  }

  private delta(type: 'text' | 'thinking', piece: string): string {
    this.generated += piece;
    let out = '';
    if (this.open?.type !== type) {
      out += this.openBlock(type === 'text' ? { type: 'text', text: '', citations: null } : { type: 'thinking', thinking: '', signature: '' });
    }
    const index = this.blockCount - 1;
    const delta = type === 'text' ? ({ type: 'text_delta', text: piece } as const) : ({ type: 'thinking_delta', thinking: piece } as const);
    return out + sseEvent({ type: 'content_block_delta', index, delta });
  }

  private toolCall(tc: Record<string, unknown>): string {
    const i = Number(tc.index ?? 0);
    const fn = (tc.function ?? {}) as { name?: unknown; arguments?: unknown };
    const fragment = typeof fn.arguments === 'string' ? fn.arguments : '';
    this.generated += fragment;
    let call = this.calls.get(i);
    if (!call) {
      call = { id: `toolu_${this.id.slice('msg_'.length)}_${i}`, name: '', args: '', json: new JsonCompletionTracker(), state: 'pending' };
      this.calls.set(i, call);
      this.waiting.push(call);
    }
    if (call.state === 'pending') {
      if (typeof tc.id === 'string' && tc.id) call.id = tc.id;
      if (typeof fn.name === 'string' && fn.name && !call.name) call.name = fn.name;
      call.args += fragment;
      call.json.push(fragment);
      return this.openWaitingCalls(false);
    }
    if (call.state === 'live' && fragment) {
      // A live call's fragments go out as they come: only whether its JSON is complete is kept.
      call.json.push(fragment);
      return this.jsonDelta(fragment) + this.openWaitingCalls(false);
    }
    // More arguments for a call whose block is closed: only possible after its JSON was complete (whitespace).
    return '';
  }

  /**
   * Opens waiting tool calls in the order they appeared while the streamed one is complete (or when forced). Only
   * waiting calls are visited, so a fragment costs nothing in the number of calls already opened.
   */
  private openWaitingCalls(force: boolean): string {
    let out = '';
    while (this.waitingFrom < this.waiting.length) {
      const live = this.open?.call;
      if (live && !force && !live.json.complete) break;
      const call = this.waiting[this.waitingFrom++];
      out += this.openBlock({ type: 'tool_use', id: call.id, name: call.name, input: {}, caller: { type: 'direct' } }, call);
      call.state = 'live';
      this.usedTools = true;
      if (call.args) out += this.jsonDelta(call.args);
      call.args = '';
    }
    if (this.waitingFrom === this.waiting.length && this.waitingFrom > 0) {
      this.waiting = [];
      this.waitingFrom = 0;
    }
    return out;
  }

  private jsonDelta(partial: string): string {
    return sseEvent({ type: 'content_block_delta', index: this.blockCount - 1, delta: { type: 'input_json_delta', partial_json: partial } });
  }

  private openBlock(block: RawContentBlockStartEvent['content_block'], call?: ToolCall): string {
    const out = this.closeBlock();
    this.open = { index: this.blockCount++, type: block.type, call };
    return out + sseEvent({ type: 'content_block_start', index: this.open.index, content_block: block });
  }

  private closeBlock(): string {
    if (!this.open) return '';
    const { index, call } = this.open;
    if (call) call.state = 'closed';
    this.open = null;
    return sseEvent({ type: 'content_block_stop', index });
  }
}
