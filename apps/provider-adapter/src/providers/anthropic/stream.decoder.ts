import { TfError } from '@tokenflow/contracts';
import type { ParsedEvent, StreamDecoder } from '../provider';
import { streamError } from '../upstream-errors';
import { anthropicErrorInfo, statusForErrorType } from './error.mapper';
import { type AnthropicUsage, mergeUsage, toTokenUsage } from './usage.mapper';

type Event = Record<string, unknown> & { type?: unknown };

/** Anthropic's stop reasons → OpenAI's finish reasons; an unknown one (a newer API) ends the turn normally. */
const FINISH: Readonly<Record<string, string>> = {
  end_turn: 'stop',
  stop_sequence: 'stop',
  pause_turn: 'stop',
  max_tokens: 'length',
  model_context_window_exceeded: 'length',
  tool_use: 'tool_calls',
  refusal: 'content_filter',
};

const NOTHING: ParsedEvent = { chunks: [] };

const MAX_ID_LENGTH = 256;

/**
 * One Anthropic Messages stream → OpenAI `chat.completion.chunk`s. Stateful, one per attempt: the message id only
 * comes in message_start, tool calls are numbered across the message while Anthropic numbers content blocks of any
 * kind, and usage is split between message_start and message_delta. Unknown events, blocks and deltas are skipped,
 * as Anthropic's versioning policy asks.
 */
export class AnthropicStreamDecoder implements StreamDecoder {
  /** OpenAI's id shape (`chatcmpl-…`): a `msg_` id would tell the caller which upstream answered. */
  private chunkId = '';
  private model = '';
  private created: number;
  /** Anthropic content-block index → OpenAI tool-call index (0, 1, … over tool calls only). */
  private readonly toolCalls = new Map<number, number>();
  private nextToolCall = 0;
  /** Tool calls (by content-block index) whose arguments have not carried a character yet. */
  private readonly argless = new Set<number>();
  private usage: AnthropicUsage = {};
  private outputCounted = false;
  private finished = false;

  constructor(private readonly now: () => number = Date.now) {
    this.created = Math.floor(now() / 1000);
  }

  decode(data: string, eventName: string | undefined): ParsedEvent {
    const ev = parse(data);
    switch (typeof ev.type === 'string' ? ev.type : eventName) {
      case 'message_start':
        return this.start(ev.message as Record<string, unknown> | undefined);
      case 'content_block_start':
        return this.blockStart(Number(ev.index), ev.content_block as Record<string, unknown> | undefined);
      case 'content_block_delta':
        return this.blockDelta(Number(ev.index), ev.delta as Record<string, unknown> | undefined);
      case 'message_delta':
        return this.messageDelta(ev);
      case 'content_block_stop':
        return this.blockStop(Number(ev.index));
      case 'message_stop':
        return { chunks: [], usage: this.knownUsage(), done: true };
      case 'error': {
        const info = anthropicErrorInfo(ev);
        throw streamError(info, statusForErrorType(info.type));
      }
      default:
        // ping, and whatever a newer API version adds.
        return NOTHING;
    }
  }

  private start(message: Record<string, unknown> | undefined): ParsedEvent {
    // Built once: every chunk repeats it. A real id is ~30 characters; a longer one is cut rather than copied
    // into every chunk of the stream.
    const id = typeof message?.id === 'string' ? message.id.slice(0, MAX_ID_LENGTH) : '';
    this.chunkId = id ? `chatcmpl-${id.startsWith('msg_') ? id.slice('msg_'.length) : id}` : '';
    this.model = typeof message?.model === 'string' ? message.model : '';
    this.created = Math.floor(this.now() / 1000);
    this.usage = mergeUsage(this.usage, message?.usage);
    return { chunks: [this.chunk({ role: 'assistant', content: '' })] };
  }

  private blockStart(index: number, block: Record<string, unknown> | undefined): ParsedEvent {
    if (block?.type !== 'tool_use') return NOTHING; // text and thinking blocks open with nothing to say
    // Counted, not the map's size: a block index the upstream repeats must not give two calls one number.
    const n = this.nextToolCall++;
    this.toolCalls.set(index, n);
    // Streamed tool input arrives as input_json_delta after an empty `input`; a non-empty one is already whole.
    const input = block.input && typeof block.input === 'object' && Object.keys(block.input).length ? JSON.stringify(block.input) : '';
    if (!input) this.argless.add(index);
    return { chunks: [this.chunk({ tool_calls: [{ index: n, id: block.id, type: 'function', function: { name: block.name, arguments: input } }] })] };
  }

  private blockDelta(index: number, delta: Record<string, unknown> | undefined): ParsedEvent {
    switch (delta?.type) {
      case 'text_delta':
        return typeof delta.text === 'string' && delta.text ? { chunks: [this.chunk({ content: delta.text })] } : NOTHING;
      case 'thinking_delta':
        return typeof delta.thinking === 'string' && delta.thinking ? { chunks: [this.chunk({ reasoning_content: delta.thinking })] } : NOTHING;
      case 'input_json_delta': {
        const n = this.toolCalls.get(index);
        if (n === undefined || typeof delta.partial_json !== 'string' || !delta.partial_json) return NOTHING;
        this.argless.delete(index);
        return { chunks: [this.chunk({ tool_calls: [{ index: n, function: { arguments: delta.partial_json } }] })] };
      }
      default:
        // signature_delta (no place for it in OpenAI's format), citations_delta, newer kinds.
        return NOTHING;
    }
  }

  /** A tool called with no input streams no JSON at all; OpenAI clients parse `arguments`, so it must be `{}`. */
  private blockStop(index: number): ParsedEvent {
    const n = this.toolCalls.get(index);
    if (n === undefined || !this.argless.delete(index)) return NOTHING;
    return { chunks: [this.chunk({ tool_calls: [{ index: n, function: { arguments: '{}' } }] })] };
  }

  private messageDelta(ev: Event): ParsedEvent {
    if (ev.usage && typeof ev.usage === 'object') {
      this.usage = mergeUsage(this.usage, ev.usage);
      // message_start's output count is a placeholder; only message_delta's is the real (cumulative) one.
      if (typeof (ev.usage as Record<string, unknown>).output_tokens === 'number') this.outputCounted = true;
    }
    const reason = (ev.delta as Record<string, unknown> | undefined)?.stop_reason;
    const chunks: Record<string, unknown>[] = [];
    if (typeof reason === 'string' && !this.finished) {
      this.finished = true;
      chunks.push(this.chunk({}, FINISH[reason] ?? 'stop'));
    }
    return { chunks, usage: this.knownUsage() };
  }

  /** Usage only once it is final and whole: a partial count would bill less than the stream carried. */
  private knownUsage() {
    return this.outputCounted && this.usage.input_tokens !== undefined ? toTokenUsage(this.usage) : undefined;
  }

  private chunk(delta: Record<string, unknown>, finishReason: string | null = null): Record<string, unknown> {
    return {
      id: this.chunkId,
      object: 'chat.completion.chunk',
      created: this.created,
      model: this.model,
      choices: [{ index: 0, delta, logprobs: null, finish_reason: finishReason }],
    };
  }
}

function parse(data: string): Event {
  let v: unknown;
  try {
    v = JSON.parse(data);
  } catch {
    v = null;
  }
  if (!v || typeof v !== 'object' || Array.isArray(v)) {
    throw new TfError('upstream_error', 'The upstream sent a malformed stream chunk.', { retryable: true });
  }
  return v as Event;
}
