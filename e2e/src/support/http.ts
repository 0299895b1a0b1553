export interface ChatResult {
  status: number;
  headers: Headers;
  json: { error?: { message: string; type: string; param: string | null; code: string } } & Record<string, unknown>;
}

/** A raw HTTP call (no SDK), to see exactly what a client receives. */
export async function post(baseUrl: string, path: string, key: string | null, body: unknown, headers: Record<string, string> = {}): Promise<ChatResult> {
  const res = await fetch(`${baseUrl}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(key ? { authorization: `Bearer ${key}` } : {}), ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  const text = await res.text();
  let json: ChatResult['json'];
  try {
    json = JSON.parse(text);
  } catch {
    json = { raw: text };
  }
  return { status: res.status, headers: res.headers, json };
}

/** Reads an SSE response to the end and returns its data payloads (`[DONE]` included as a string). */
export async function streamEvents(baseUrl: string, key: string, body: Record<string, unknown>): Promise<{ status: number; events: (string | Record<string, unknown>)[] }> {
  const res = await fetch(`${baseUrl}/v1/chat/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` },
    body: JSON.stringify({ ...body, stream: true }),
  });
  const text = await res.text();
  const events = text
    .split('\n\n')
    .map((block) => block.trim())
    .filter((block) => block.startsWith('data: '))
    .map((block) => block.slice(6))
    .map((data) => (data === '[DONE]' ? data : (JSON.parse(data) as Record<string, unknown>)));
  return { status: res.status, events };
}

export function assertOpenAiError(r: ChatResult, status: number, code: string): void {
  if (r.status !== status || r.json.error?.code !== code) {
    throw new Error(`expected ${status} ${code}, got ${r.status} ${JSON.stringify(r.json)}`);
  }
  const e = r.json.error!;
  if (typeof e.message !== 'string' || typeof e.type !== 'string' || !('param' in e)) {
    throw new Error(`not an OpenAI error body: ${JSON.stringify(r.json)}`);
  }
  if (!/^req_/.test(r.headers.get('x-request-id') ?? '')) throw new Error('missing x-request-id');
  if (/at .*\.js:\d+/.test(e.message) || /sk-mock|127\.0\.0\.1/.test(e.message)) throw new Error(`leaky message: ${e.message}`);
}
