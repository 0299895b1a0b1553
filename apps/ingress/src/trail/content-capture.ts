import { REQUEST_CONTENT_MAX_CHARS, type RequestContent } from '@tokenflow/contracts';

/**
 * What a request with content logging on said and was told, kept for the request log, each side at most `max`
 * characters. Appending past the cap costs a comparison; a key without content logging never gets one (the trail's
 * `content` stays null), so it costs those requests nothing.
 */
export class ContentCapture {
  private readonly parts: string[] = [];
  private size = 0;
  private cut = false;

  constructor(private readonly max = REQUEST_CONTENT_MAX_CHARS) {}

  /** More of the answer as sent: an SSE event, or a whole answer's (or error's) body. */
  append(text: string): void {
    if (!text) return;
    const room = this.max - this.size;
    if (room <= 0) {
      this.cut = true;
      return;
    }
    const part = text.length > room ? text.slice(0, room) : text;
    if (part.length < text.length) this.cut = true;
    this.parts.push(part);
    this.size += part.length;
  }

  /** The record, with the request body serialized up to the cap (never more than that is walked or built). */
  finish(requestBody: unknown): RequestContent {
    const request = requestBody === undefined || requestBody === null ? null : boundedJson(requestBody, this.max);
    return {
      request: request?.text ?? null,
      response: this.parts.length ? this.parts.join('') : null,
      truncated: this.cut || (request?.truncated ?? false),
    };
  }
}

/** Thrown inside `boundedJson` once the budget is spent: stops the walk at once. */
const FULL = Symbol('full');

/**
 * `JSON.stringify(value)` cut at `max` characters, built without ever serializing more than that: a 20 MB body
 * (an image as a data URL) costs what its first `max` characters cost. Cut text is not valid JSON (`truncated`).
 */
export function boundedJson(value: unknown, max: number): { text: string; truncated: boolean } {
  const out: string[] = [];
  let size = 0;
  const put = (s: string) => {
    const room = max - size;
    if (s.length > room) {
      out.push(s.slice(0, room));
      size = max;
      throw FULL;
    }
    out.push(s);
    size += s.length;
  };
  const walk = (v: unknown, depth: number): void => {
    if (typeof v === 'string') {
      // Only as much of a long string as can still fit is escaped (escaping at most sextuples a character).
      const room = max - size;
      put(JSON.stringify(v.length > room ? v.slice(0, room) : v));
      if (v.length > room) throw FULL;
    } else if (typeof v === 'number') put(Number.isFinite(v) ? String(v) : 'null');
    else if (typeof v === 'boolean') put(v ? 'true' : 'false');
    else if (v === null || typeof v !== 'object' || depth > 256) put('null');
    else if (Array.isArray(v)) {
      put('[');
      for (let i = 0; i < v.length; i++) {
        if (i) put(',');
        walk(v[i] === undefined || typeof v[i] === 'function' ? null : v[i], depth + 1);
      }
      put(']');
    } else {
      put('{');
      let first = true;
      for (const k of Object.keys(v)) {
        const x = (v as Record<string, unknown>)[k];
        if (x === undefined || typeof x === 'function') continue;
        put(first ? JSON.stringify(k) + ':' : ',' + JSON.stringify(k) + ':');
        first = false;
        walk(x, depth + 1);
      }
      put('}');
    }
  };
  try {
    walk(value, 0);
    return { text: out.join(''), truncated: false };
  } catch (err) {
    if (err !== FULL) throw err;
    return { text: out.join(''), truncated: true };
  }
}
