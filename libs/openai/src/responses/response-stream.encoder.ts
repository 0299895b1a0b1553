import { TfError, type TokenUsage } from '@tokenflow/contracts';
import { choiceIndexOf, toolCallIndexOf } from '../completion-assembler';
import { functionCallItem, outputText, type ResponseItemJson, type ResponseMeta, responseErrorCode, responseObject, statusOf, summaryText } from './response-object';

/** One output item as the stream builds it; text kept as pieces, joined once when the item closes. */
interface OpenItem {
  kind: 'message' | 'reasoning' | 'function_call';
  outputIndex: number;
  id: string;
  pieces: string[];
  /** Function calls: the chat tool-call index, upstream call id and name. */
  toolIndex?: number;
  callId?: string;
  name?: string;
  done?: ResponseItemJson;
}

/**
 * Chat chunks → the Responses API's event stream, each event with its `sequence_number`: `response.created`,
 * `response.in_progress`, then per output item `response.output_item.added` … `response.output_item.done` (a message
 * with its `output_text` part and text deltas; a reasoning item with its summary part and deltas — chat's
 * `reasoning_content`; function calls with argument deltas), and `response.completed` (or `response.incomplete`)
 * carrying the whole Response. A failure is `response.failed` then an `error` event, never a silent end. Each chunk
 * costs time in its own size only.
 */
export class ResponseStreamEncoder {
  private seq = 0;
  private started = false;
  private readonly items: OpenItem[] = [];
  private open: OpenItem | null = null;
  /** Function-call items by chat tool-call index. */
  private readonly calls: OpenItem[] = [];
  private finishReason: string | null = null;
  /** The Response the stream ended with (completed, incomplete or failed), once it has. */
  final: Record<string, unknown> | null = null;

  constructor(private readonly meta: ResponseMeta) {}

  served(model: string): void {
    if (!this.started) this.meta.model = model;
  }

  /** `response.created` and `response.in_progress`, once. */
  start(): string {
    if (this.started) return '';
    this.started = true;
    const response = responseObject(this.meta, { status: 'in_progress', output: [], usage: null });
    return this.event('response.created', { response }) + this.event('response.in_progress', { response });
  }

  push(chunk: Record<string, unknown>): string {
    let out = this.start();
    if (!Array.isArray(chunk.choices)) return out;
    for (const c of chunk.choices as Record<string, unknown>[]) {
      if (!c || typeof c !== 'object') continue;
      const index = choiceIndexOf(c.index);
      if (index === null) throw new TfError('upstream_error', 'The upstream sent an invalid choice index.');
      // The Responses API has one answer per request (no `n`).
      if (index !== 0) continue;
      const d = (c.delta ?? {}) as Record<string, unknown>;
      if (typeof d.reasoning_content === 'string' && d.reasoning_content) out += this.reasoning(d.reasoning_content);
      if (typeof d.content === 'string' && d.content) out += this.text(d.content);
      if (typeof d.refusal === 'string' && d.refusal) out += this.text(d.refusal);
      if (Array.isArray(d.tool_calls)) for (const tc of d.tool_calls as Record<string, unknown>[]) if (tc && typeof tc === 'object') out += this.toolCall(tc);
      if (c.finish_reason) this.finishReason = String(c.finish_reason);
    }
    return out;
  }

  /** Closes the open item and ends with the whole Response: `response.completed`, or `response.incomplete` when cut. */
  finish(usage: TokenUsage | null): string {
    let out = this.start() + this.close();
    const { status, incomplete_details } = statusOf(this.finishReason);
    if (this.items.length === 0) {
      // An empty answer is still a message, as OpenAI has it.
      out += this.text('') + this.close();
    }
    this.final = responseObject(this.meta, { status, output: this.output(), usage, incomplete_details });
    return out + this.event(status === 'completed' ? 'response.completed' : 'response.incomplete', { response: this.final });
  }

  /** After the 200 went out: `response.failed` with what was produced so far, then the `error` event SDKs raise. */
  error(err: TfError): string {
    let out = this.start();
    if (this.open) {
      out += this.close();
    }
    const body = err.toBody();
    this.final = responseObject(this.meta, { status: 'failed', output: this.output(), usage: null, error: { code: responseErrorCode(body.code), message: body.message } });
    out += this.event('response.failed', { response: this.final });
    return out + this.event('error', { code: body.code ?? null, message: body.message, param: body.param ?? null });
  }

  private output(): ResponseItemJson[] {
    return this.items.map((it) => it.done ?? this.doneItem(it, 'incomplete'));
  }

  private reasoning(delta: string): string {
    let out = '';
    if (this.open?.kind !== 'reasoning') {
      out += this.close();
      const item = this.add('reasoning', this.meta.ids.reasoning);
      out += this.event('response.output_item.added', { output_index: item.outputIndex, item: { id: item.id, type: 'reasoning', summary: [] } });
      out += this.event('response.reasoning_summary_part.added', { item_id: item.id, output_index: item.outputIndex, summary_index: 0, part: summaryText('') });
    }
    const item = this.open!;
    item.pieces.push(delta);
    return out + this.event('response.reasoning_summary_text.delta', { item_id: item.id, output_index: item.outputIndex, summary_index: 0, delta });
  }

  private text(delta: string): string {
    let out = '';
    if (this.open?.kind !== 'message') {
      out += this.close();
      // A second message (text after tool calls) gets its own id.
      const n = this.items.filter((i) => i.kind === 'message').length;
      const item = this.add('message', n === 0 ? this.meta.ids.message : `${this.meta.ids.message}_${n}`);
      out += this.event('response.output_item.added', { output_index: item.outputIndex, item: { id: item.id, type: 'message', status: 'in_progress', role: 'assistant', content: [] } });
      out += this.event('response.content_part.added', { item_id: item.id, output_index: item.outputIndex, content_index: 0, part: outputText('') });
    }
    const item = this.open!;
    if (!delta) return out;
    item.pieces.push(delta);
    return out + this.event('response.output_text.delta', { item_id: item.id, output_index: item.outputIndex, content_index: 0, delta, logprobs: [] });
  }

  private toolCall(tc: Record<string, unknown>): string {
    const i = toolCallIndexOf(tc.index, this.calls.length);
    if (i === null) throw new TfError('upstream_error', 'The upstream sent an invalid tool call index.');
    const fn = (tc.function ?? {}) as { name?: unknown; arguments?: unknown };
    let out = '';
    let item = this.calls[i];
    if (!item) {
      out += this.close();
      item = this.add('function_call', this.meta.ids.functionCall(i));
      item.toolIndex = i;
      item.callId = typeof tc.id === 'string' ? tc.id : undefined;
      item.name = typeof fn.name === 'string' ? fn.name : '';
      this.calls[i] = item;
      const added = functionCallItem(this.meta.ids, i, { ...(item.callId ? { id: item.callId } : {}), name: item.name, arguments: '' }, 'in_progress');
      item.callId = String(added.call_id);
      out += this.event('response.output_item.added', { output_index: item.outputIndex, item: added });
    }
    if (typeof fn.arguments === 'string' && fn.arguments) {
      item.pieces.push(fn.arguments);
      out += this.event('response.function_call_arguments.delta', { item_id: item.id, output_index: item.outputIndex, delta: fn.arguments });
    }
    return out;
  }

  private add(kind: OpenItem['kind'], id: string): OpenItem {
    const item: OpenItem = { kind, id, outputIndex: this.items.length, pieces: [] };
    this.items.push(item);
    this.open = item;
    return item;
  }

  /** The `.done` events of the open item, if any. */
  private close(): string {
    const item = this.open;
    if (!item) return '';
    this.open = null;
    const text = item.pieces.join('');
    item.pieces = [text];
    const status = this.finishReason === null || this.finishReason === 'stop' || this.finishReason === 'tool_calls' || this.finishReason === 'function_call' ? 'completed' : 'incomplete';
    item.done = this.doneItem(item, status);
    const at = { item_id: item.id, output_index: item.outputIndex };
    let out = '';
    if (item.kind === 'message') {
      out += this.event('response.output_text.done', { ...at, content_index: 0, text, logprobs: [] });
      out += this.event('response.content_part.done', { ...at, content_index: 0, part: outputText(text) });
    } else if (item.kind === 'reasoning') {
      out += this.event('response.reasoning_summary_text.done', { ...at, summary_index: 0, text });
      out += this.event('response.reasoning_summary_part.done', { ...at, summary_index: 0, part: summaryText(text) });
    } else {
      out += this.event('response.function_call_arguments.done', { ...at, name: item.name, arguments: text });
    }
    return out + this.event('response.output_item.done', { output_index: item.outputIndex, item: item.done });
  }

  private doneItem(item: OpenItem, status: string): ResponseItemJson {
    const text = item.pieces.join('');
    if (item.kind === 'message') return { id: item.id, type: 'message', status, role: 'assistant', content: [outputText(text)] };
    if (item.kind === 'reasoning') return { id: item.id, type: 'reasoning', summary: [summaryText(text)] };
    return functionCallItem(this.meta.ids, item.toolIndex!, { id: item.callId, name: item.name ?? '', arguments: text }, status);
  }

  private event(type: string, fields: Record<string, unknown>): string {
    return `event: ${type}\ndata: ${JSON.stringify({ type, sequence_number: this.seq++, ...fields })}\n\n`;
  }
}
