import { strict as assert } from 'node:assert';

export type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

/** One SSE block: an `event:` name, a `data:` payload, or a `: comment` (a keep-alive). */
export interface SseBlock {
  event?: string;
  data?: string;
  comment?: string;
  /** ms since the request was sent */
  at: number;
}

export interface SseResult {
  status: number;
  headers: Headers;
  blocks: SseBlock[];
  /** the connection broke before the body ended */
  cut: boolean;
}

export function post(url: string, body: unknown, headers: Record<string, string> = {}): Promise<Response> {
  return fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
}

export async function postJson(url: string, body: unknown, headers: Record<string, string> = {}): Promise<{ status: number; headers: Headers; body: Json }> {
  const res = await post(url, body, headers);
  const text = await res.text();
  return { status: res.status, headers: res.headers, body: JSON.parse(text) as Json };
}

/** Reads a whole SSE response, keeping comments and event names, tolerating a connection cut mid-body. */
export async function readSse(url: string, body: unknown, headers: Record<string, string> = {}): Promise<SseResult> {
  const started = performance.now();
  const res = await post(url, body, headers);
  const blocks: SseBlock[] = [];
  let buffer = '';
  let cut = false;
  const decoder = new TextDecoder();
  const flush = () => {
    let end: number;
    while ((end = buffer.indexOf('\n\n')) >= 0) {
      const block: SseBlock = { at: performance.now() - started };
      for (const line of buffer.slice(0, end).split('\n')) {
        if (line.startsWith(':')) block.comment = line.slice(1).trim();
        else if (line.startsWith('event: ')) block.event = line.slice('event: '.length);
        else if (line.startsWith('data: ')) block.data = line.slice('data: '.length);
        else assert.fail(`unexpected SSE line: ${line}`);
      }
      blocks.push(block);
      buffer = buffer.slice(end + 2);
    }
  };
  try {
    for await (const bytes of res.body!) {
      buffer += decoder.decode(bytes as Uint8Array, { stream: true });
      flush();
    }
  } catch {
    cut = true;
  }
  return { status: res.status, headers: res.headers, blocks, cut };
}

/** The JSON payloads of the data blocks, without `[DONE]`. */
export function payloads(result: SseResult): Json[] {
  return result.blocks.filter((b) => b.data !== undefined && b.data !== '[DONE]').map((b) => JSON.parse(b.data!) as Json);
}

export function endsWithDone(result: SseResult): boolean {
  return result.blocks.at(-1)?.data === '[DONE]';
}
