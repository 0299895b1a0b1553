import { TfError } from '@tokenflow/contracts';

/** Server-sent events exactly as OpenAI writes them. */
export function sseData(payload: unknown): string {
  return `data: ${JSON.stringify(payload)}\n\n`;
}

export const SSE_DONE = 'data: [DONE]\n\n';

/** One server-sent event as a parser hands it over (the shape eventsource-parser uses). */
export interface SseEvent {
  /** The `event:` field, when the event had one. */
  event?: string;
  /** Its `data:` lines, joined with LF. */
  data: string;
  id?: string;
}

export interface SseParserOptions {
  onEvent(event: SseEvent): void;
  /** Longest line (characters) the parser holds while waiting for its end; longer fails. Default 1 Mi. */
  maxLineChars?: number;
  /** Most data (characters, all its lines) one event may carry; more fails. Default 4 Mi. */
  maxEventChars?: number;
}

/** An upstream sent a line or an event past the parser's caps: it is refused, never buffered without bound. */
export class SseLimitError extends TfError {
  constructor(what: 'line' | 'event', cap: number) {
    super('upstream_error', `The upstream sent a stream ${what} longer than ${cap} characters.`);
  }
}

const LF = 0x0a;
const CR = 0x0d;

/**
 * A server-sent-events parser with a bounded buffer: the partial line it waits on and the event it assembles are
 * capped (`SseLimitError` past the cap, so a hostile or broken upstream cannot grow memory without end). LF, CR and
 * CRLF line endings (a CRLF split across two feeds included) are handled in linear time: the next CR and LF are
 * each searched once per position, never rescanned from every line start.
 */
export class SseParser {
  private readonly maxLine: number;
  private readonly maxEvent: number;
  private pending = '';
  /** The previous feed ended with CR: a LF starting this one belongs to it. */
  private afterCr = false;
  private data: string[] = [];
  private dataChars = 0;
  private eventName: string | undefined;
  private lastId: string | undefined;

  constructor(private readonly opts: SseParserOptions) {
    this.maxLine = opts.maxLineChars ?? 1024 * 1024;
    this.maxEvent = opts.maxEventChars ?? 4 * 1024 * 1024;
  }

  /** Characters held while waiting for more input (the partial line and the event's data). */
  get buffered(): number {
    return this.pending.length + this.dataChars;
  }

  feed(text: string): void {
    if (!text) return;
    let pos = 0;
    if (this.afterCr && text.charCodeAt(0) === LF) pos = 1;
    this.afterCr = false;
    let nextLf = text.indexOf('\n', pos);
    let nextCr = text.indexOf('\r', pos);
    while (pos < text.length) {
      if (nextLf !== -1 && nextLf < pos) nextLf = text.indexOf('\n', pos);
      if (nextCr !== -1 && nextCr < pos) nextCr = text.indexOf('\r', pos);
      const eol = nextLf === -1 ? nextCr : nextCr === -1 ? nextLf : Math.min(nextLf, nextCr);
      if (eol === -1) break;
      if (this.pending.length + (eol - pos) > this.maxLine) throw new SseLimitError('line', this.maxLine);
      const line = this.pending ? this.pending + text.slice(pos, eol) : text.slice(pos, eol);
      this.pending = '';
      pos = eol + 1;
      if (text.charCodeAt(eol) === CR) {
        if (eol + 1 === text.length) this.afterCr = true;
        else if (text.charCodeAt(eol + 1) === LF) pos++;
      }
      this.line(line);
    }
    if (pos < text.length) {
      if (this.pending.length + (text.length - pos) > this.maxLine) throw new SseLimitError('line', this.maxLine);
      this.pending += text.slice(pos);
    }
  }

  /** Forgets everything held (a new stream). */
  reset(): void {
    this.pending = '';
    this.afterCr = false;
    this.clearEvent();
  }

  private line(line: string): void {
    if (line === '') return this.dispatch();
    if (line.charCodeAt(0) === 0x3a) return; // ':' — a comment (keep-alive)
    const colon = line.indexOf(':');
    const field = colon === -1 ? line : line.slice(0, colon);
    let value = colon === -1 ? '' : line.slice(colon + 1);
    if (value.charCodeAt(0) === 0x20) value = value.slice(1);
    if (field === 'data') {
      this.dataChars += value.length + 1;
      if (this.dataChars > this.maxEvent) throw new SseLimitError('event', this.maxEvent);
      this.data.push(value);
    } else if (field === 'event') this.eventName = value;
    else if (field === 'id' && !value.includes('\0')) this.lastId = value;
  }

  private dispatch(): void {
    if (this.data.length === 0) {
      this.eventName = undefined;
      return;
    }
    const event: SseEvent = { data: this.data.join('\n') };
    if (this.eventName !== undefined) event.event = this.eventName;
    if (this.lastId !== undefined) event.id = this.lastId;
    this.clearEvent();
    this.opts.onEvent(event);
  }

  private clearEvent(): void {
    this.data = [];
    this.dataChars = 0;
    this.eventName = undefined;
  }
}
