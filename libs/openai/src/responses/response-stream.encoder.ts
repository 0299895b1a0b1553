import { TfError, type TokenUsage } from '@tokenflow/contracts';
import { choiceIndexOf, toolCallIndexOf } from '../completion-assembler';
import { functionCallItem, outputText, refusalPart, type ResponseItemJson, type ResponseMeta, responseErrorCode, responseObject, statusOf, summaryText } from './response-object';

/** One content part of a message (or the summary part of a reasoning item): text kept as pieces, joined once at its end. */
interface Part {
  type: 'output_text' | 'refusal' | 'summary_text';
  pieces: string[];
}

/** One output item as the stream builds it. */
interface OpenItem {
  kind: 'message' | 'reasoning' | 'function_call';
  outputIndex: number;
  id: string;
  /** Messages: their content parts in order; reasoning: its one summary part. */
  parts: Part[];
  done?: ResponseItemJson;
}

/** A chat tool call: announced (an output item) once its name is known, open until the answer ends. */
interface Call {
  toolIndex: number;
  callId?: string;
  name: string;
  pieces: string[];
  item?: OpenItem;
}

export interface ResponseStreamOptions {
  /** False: build the Response only, no event text (the non-streamed answer, see `ResponseAssembler`). */
  events?: boolean;
}

/**
 * Chat chunks → the Responses API's event stream, each event with its `sequence_number`: `response.created`,
 * `response.in_progress`, then per output item `response.output_item.added` … `response.output_item.done` (a message
 * with its `output_text` and `refusal` parts and their deltas; a reasoning item with its summary part and deltas —
 * chat's `reasoning_content`; function calls with argument deltas), and `response.completed` (or
 * `response.incomplete`) carrying the whole Response. A failure is `response.failed` then an `error` event, never a
 * silent end. Each chunk costs time in its own size only.
 *
 * Items are in the order they began. A message or reasoning item ends when the other kind (or a new call) begins —
 * a later phase is a new item with its own id. Function calls stay open until the answer ends, because upstreams
 * interleave parallel calls' argument fragments and put text between them: no delta ever follows an item's `done`,
 * and each `done` item carries all of its arguments. A call is announced once its name is known, so its
 * `output_item.added` has the name and the call id every later event (and the stored response) keeps.
 */
export class ResponseStreamEncoder {
  private seq = 0;
  private started = false;
  private ended = false;
  private readonly items: OpenItem[] = [];
  /** The open message or reasoning item (at most one). */
  private open: OpenItem | null = null;
  /** Chat tool calls by their index. */
  private readonly calls: Call[] = [];
  /** Announced calls not yet closed, in output order. */
  private readonly openCalls: Call[] = [];
  private messages = 0;
  private reasonings = 0;
  private finishReason: string | null = null;
  private readonly emit: boolean;
  /** The Response the stream ended with (completed, incomplete or failed), once it has. */
  final: Record<string, unknown> | null = null;

  constructor(
    private readonly meta: ResponseMeta,
    options: ResponseStreamOptions = {},
  ) {
    this.emit = options.events ?? true;
  }

  served(model: string): void {
    if (!this.started) this.meta.model = model;
  }

  /** `response.created` and `response.in_progress`, once. */
  start(): string {
    if (this.started) return '';
    this.started = true;
    const response = this.emit ? responseObject(this.meta, { status: 'in_progress', output: [], usage: null }) : null;
    return this.event('response.created', { response }) + this.event('response.in_progress', { response });
  }

  push(chunk: Record<string, unknown>): string {
    let out = this.start();
    if (this.ended || !Array.isArray(chunk.choices)) return out;
    for (const c of chunk.choices as Record<string, unknown>[]) {
      if (!c || typeof c !== 'object') continue;
      const index = choiceIndexOf(c.index);
      if (index === null) throw new TfError('upstream_error', 'The upstream sent an invalid choice index.');
      // The Responses API has one answer per request (no `n`).
      if (index !== 0) continue;
      const d = (c.delta ?? {}) as Record<string, unknown>;
      if (typeof d.reasoning_content === 'string' && d.reasoning_content) out += this.reasoning(d.reasoning_content);
      if (typeof d.content === 'string' && d.content) out += this.message('output_text', d.content);
      if (typeof d.refusal === 'string' && d.refusal) out += this.message('refusal', d.refusal);
      if (Array.isArray(d.tool_calls)) for (const tc of d.tool_calls as Record<string, unknown>[]) if (tc && typeof tc === 'object') out += this.toolCall(tc);
      if (c.finish_reason) this.finishReason = String(c.finish_reason);
    }
    return out;
  }

  /** Closes every open item and ends with the whole Response: `response.completed`, or `response.incomplete` when cut. */
  finish(usage: TokenUsage | null): string {
    let out = this.start();
    if (this.ended) return out;
    const { status, incomplete_details } = statusOf(this.finishReason);
    out += this.closeAll(status === 'completed' ? 'completed' : 'incomplete');
    if (this.items.length === 0) {
      // An empty answer is still a message, as OpenAI has it.
      out += this.message('output_text', '') + this.closeAll('completed');
    }
    this.ended = true;
    this.final = responseObject(this.meta, { status, output: this.output(), usage, incomplete_details });
    return out + this.event(status === 'completed' ? 'response.completed' : 'response.incomplete', { response: this.final });
  }

  /** After the 200 went out: `response.failed` with what was produced so far (items cut short), then the `error` event SDKs raise. */
  error(err: TfError): string {
    let out = this.start();
    if (this.ended) return out;
    out += this.closeAll('incomplete');
    this.ended = true;
    const body = err.toBody();
    this.final = responseObject(this.meta, { status: 'failed', output: this.output(), usage: null, error: { code: responseErrorCode(body.code), message: body.message } });
    out += this.event('response.failed', { response: this.final });
    return out + this.event('error', { code: body.code ?? null, message: body.message, param: body.param ?? null });
  }

  private output(): ResponseItemJson[] {
    return this.items.map((it) => it.done!);
  }

  private reasoning(delta: string): string {
    let out = '';
    if (this.open?.kind !== 'reasoning') {
      out += this.closeOpen('completed');
      const item = this.add('reasoning', this.meta.ids.reasoningId(this.reasonings++));
      this.open = item;
      item.parts.push({ type: 'summary_text', pieces: [] });
      out += this.event('response.output_item.added', { output_index: item.outputIndex, item: { id: item.id, type: 'reasoning', summary: [] } });
      out += this.event('response.reasoning_summary_part.added', { item_id: item.id, output_index: item.outputIndex, summary_index: 0, part: summaryText('') });
    }
    const item = this.open!;
    item.parts[0].pieces.push(delta);
    return out + this.event('response.reasoning_summary_text.delta', { item_id: item.id, output_index: item.outputIndex, summary_index: 0, delta });
  }

  /** Text or refusal: into the open message (a new part when the kind changes), or a new message. */
  private message(type: 'output_text' | 'refusal', delta: string): string {
    let out = '';
    if (this.open?.kind !== 'message') {
      out += this.closeOpen('completed');
      const item = this.add('message', this.meta.ids.messageId(this.messages++));
      this.open = item;
      out += this.event('response.output_item.added', { output_index: item.outputIndex, item: { id: item.id, type: 'message', status: 'in_progress', role: 'assistant', content: [] } });
    }
    const item = this.open!;
    let part = item.parts.at(-1);
    if (part?.type !== type) {
      if (part) out += this.closePart(item, item.parts.length - 1);
      part = { type, pieces: [] };
      item.parts.push(part);
      out += this.event('response.content_part.added', { ...this.at(item), content_index: item.parts.length - 1, part: type === 'refusal' ? refusalPart('') : outputText('') });
    }
    if (!delta) return out;
    part.pieces.push(delta);
    const content_index = item.parts.length - 1;
    if (type === 'refusal') return out + this.event('response.refusal.delta', { ...this.at(item), content_index, delta });
    return out + this.event('response.output_text.delta', { ...this.at(item), content_index, delta, logprobs: [] });
  }

  private toolCall(tc: Record<string, unknown>): string {
    const i = toolCallIndexOf(tc.index, this.calls.length);
    if (i === null) throw new TfError('upstream_error', 'The upstream sent an invalid tool call index.');
    const fn = (tc.function ?? {}) as { name?: unknown; arguments?: unknown };
    const call = (this.calls[i] ??= { toolIndex: i, name: '', pieces: [] });
    // The id of the announced item is kept: clients answer with the call_id `output_item.added` gave them.
    if (typeof tc.id === 'string' && tc.id && !call.item) call.callId = tc.id;
    // Some upstreams repeat the name on every fragment, a few split it: a repeat is not appended.
    if (typeof fn.name === 'string' && fn.name && fn.name !== call.name) call.name += fn.name;
    const delta = typeof fn.arguments === 'string' ? fn.arguments : '';
    let out = '';
    if (!call.item) {
      if (delta) call.pieces.push(delta);
      // Announced with its name; until then its fragments wait (a call is nothing to a client without one).
      return call.name ? this.announce(call) : '';
    }
    if (delta) {
      call.pieces.push(delta);
      out += this.event('response.function_call_arguments.delta', { ...this.at(call.item), delta });
    }
    return out;
  }

  /** `output_item.added` for a call (closing the open message or reasoning), with what arrived before it as one delta. */
  private announce(call: Call, status = 'completed'): string {
    let out = this.closeOpen(status);
    const added = functionCallItem(this.meta.ids, call.toolIndex, { ...(call.callId ? { id: call.callId } : {}), name: call.name, arguments: '' }, 'in_progress');
    call.callId = String(added.call_id);
    call.item = this.add('function_call', String(added.id));
    this.openCalls.push(call);
    out += this.event('response.output_item.added', { output_index: call.item.outputIndex, item: added });
    if (call.pieces.length) {
      const text = call.pieces.join('');
      call.pieces = [text];
      out += this.event('response.function_call_arguments.delta', { ...this.at(call.item), delta: text });
    }
    return out;
  }

  private add(kind: OpenItem['kind'], id: string): OpenItem {
    const item: OpenItem = { kind, id, outputIndex: this.items.length, parts: [] };
    this.items.push(item);
    return item;
  }

  /** Announces the calls still waiting for a name, then closes every open item in output order. */
  private closeAll(status: string): string {
    let out = '';
    for (const call of this.calls) if (!call.item) out += this.announce(call, status);
    const text = this.open;
    this.open = null;
    for (const call of this.openCalls) {
      if (text && !text.done && text.outputIndex < call.item!.outputIndex) out += this.closeItem(text, status);
      out += this.closeCall(call, status);
    }
    this.openCalls.length = 0;
    if (text && !text.done) out += this.closeItem(text, status);
    return out;
  }

  private closeOpen(status: string): string {
    const item = this.open;
    if (!item) return '';
    this.open = null;
    return this.closeItem(item, status);
  }

  /** The `.done` events of a message or reasoning item. */
  private closeItem(item: OpenItem, status: string): string {
    let out = '';
    if (item.kind === 'message') {
      if (item.parts.length) out += this.closePart(item, item.parts.length - 1);
      item.done = { id: item.id, type: 'message', status, role: 'assistant', content: item.parts.map((p) => (p.type === 'refusal' ? refusalPart(joined(p)) : outputText(joined(p)))) };
    } else {
      const text = joined(item.parts[0]);
      out += this.event('response.reasoning_summary_text.done', { ...this.at(item), summary_index: 0, text });
      out += this.event('response.reasoning_summary_part.done', { ...this.at(item), summary_index: 0, part: summaryText(text) });
      item.done = { id: item.id, type: 'reasoning', summary: [summaryText(text)] };
    }
    return out + this.event('response.output_item.done', { output_index: item.outputIndex, item: item.done });
  }

  /** A message part's `.done` events: the whole text (or refusal), then the part. */
  private closePart(item: OpenItem, content_index: number): string {
    const part = item.parts[content_index];
    const text = joined(part);
    if (part.type === 'refusal') {
      return this.event('response.refusal.done', { ...this.at(item), content_index, refusal: text }) + this.event('response.content_part.done', { ...this.at(item), content_index, part: refusalPart(text) });
    }
    return this.event('response.output_text.done', { ...this.at(item), content_index, text, logprobs: [] }) + this.event('response.content_part.done', { ...this.at(item), content_index, part: outputText(text) });
  }

  private closeCall(call: Call, status: string): string {
    const item = call.item!;
    const args = call.pieces.join('');
    call.pieces = [args];
    item.done = functionCallItem(this.meta.ids, call.toolIndex, { id: call.callId, name: call.name, arguments: args }, status);
    return this.event('response.function_call_arguments.done', { ...this.at(item), name: call.name, arguments: args }) + this.event('response.output_item.done', { output_index: item.outputIndex, item: item.done });
  }

  private at(item: OpenItem): { item_id: string; output_index: number } {
    return { item_id: item.id, output_index: item.outputIndex };
  }

  private event(type: string, fields: Record<string, unknown>): string {
    const sequence_number = this.seq++;
    return this.emit ? `event: ${type}\ndata: ${JSON.stringify({ type, sequence_number, ...fields })}\n\n` : '';
  }
}

function joined(part: Part): string {
  const text = part.pieces.join('');
  part.pieces = [text];
  return text;
}
