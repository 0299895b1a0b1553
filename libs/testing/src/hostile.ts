import { Worker } from 'node:worker_threads';

/**
 * Inputs that once stalled, crashed or fooled the gateway (issue: bounded work per request), shared by the e2e
 * regression suite and `npm run bench:hostile`. Each is a request a caller can send, with the status it must get.
 */
export interface HostileCase {
  name: string;
  path: string;
  /** The raw body (already JSON), built once. */
  body: string;
  /** Anthropic-format routes take the key as `x-api-key`. */
  anthropic?: boolean;
  expectStatus: number;
}

const chat = (model: string, content: unknown, extra: Record<string, unknown> = {}) => JSON.stringify({ model, messages: [{ role: 'user', content }], max_tokens: 16, ...extra });

/** The caller's side: every one answers quickly with the right status. `upstream` models are served by `startHostileUpstream`. */
export function hostileCases(): HostileCase[] {
  const tinyMessages = Array.from({ length: 700_000 }, () => ({ role: 'user' }));
  return [
    { name: '1 MB of one letter', path: '/v1/chat/completions', body: chat('deepseek-v3', 'a'.repeat(1024 * 1024)), expectStatus: 200 },
    { name: '1 MB of spaces', path: '/v1/chat/completions', body: chat('deepseek-v3', ' '.repeat(1024 * 1024) + 'hi'), expectStatus: 200 },
    { name: '1 MB of newlines in 1,000 parts', path: '/v1/chat/completions', body: chat('qwen-max', Array.from({ length: 1000 }, () => ({ type: 'text', text: '\n'.repeat(1024) }))), expectStatus: 200 },
    { name: '300 KB of CJK without spaces', path: '/v1/chat/completions', body: chat('glm-4-plus', '我们的世界很大'.repeat(15_000)), expectStatus: 200 },
    {
      name: '40 KB data URL without ;base64, to claude-sonnet',
      path: '/v1/chat/completions',
      body: chat('claude-sonnet', [{ type: 'text', text: 'what is this?' }, { type: 'image_url', image_url: { url: `data:${'a'.repeat(40 * 1024)}` } }]),
      expectStatus: 400,
    },
    { name: '9 MB of 700k tiny messages', path: '/v1/chat/completions', body: JSON.stringify({ model: 'deepseek-v3', messages: tinyMessages }), expectStatus: 400 },
    { name: '12 MB body of text', path: '/v1/chat/completions', body: chat('deepseek-v3', 'lorem ipsum dolor sit amet '.repeat(460_000)), expectStatus: 400 },
    { name: '2 MB of escaped newlines in one field', path: '/v1/chat/completions', body: chat('deepseek-v3', 'hi', { user: '\n'.repeat(1_000_000) }), expectStatus: 400 },
    { name: '100k-deep nesting', path: '/v1/chat/completions', body: `{"model":"deepseek-v3","messages":[{"role":"user","content":"hi"}],"x":${'['.repeat(100_000)}${']'.repeat(100_000)}}`, expectStatus: 400 },
    { name: 'upstream: 32k chunks with logprobs, folded into one completion', path: '/v1/chat/completions', body: chat('hostile-logprobs', 'hi', { logprobs: true, max_tokens: 40_000 }), expectStatus: 200 },
    { name: 'upstream: a tool-call index of 1e8', path: '/v1/chat/completions', body: chat('hostile-tool-index', 'hi'), expectStatus: 502 },
    {
      name: 'upstream: 32k argument fragments to an Anthropic-format client',
      path: '/v1/messages',
      anthropic: true,
      body: JSON.stringify({
        model: 'hostile-fragments',
        max_tokens: 40_000,
        stream: true,
        messages: [{ role: 'user', content: 'hi' }],
        tools: [{ name: 'write', description: 'writes', input_schema: { type: 'object' } }],
      }),
      expectStatus: 200,
    },
  ];
}

/** The upstream models `startHostileUpstream` serves (an openai-compatible channel). */
export const HOSTILE_MODELS = ['hostile-logprobs', 'hostile-tool-index', 'hostile-fragments'];

/** Runs in a worker thread: building a 32k-chunk answer must not delay the event loop of whoever measures latency. */
const UPSTREAM_SOURCE = `
  const { createServer } = require('node:http');
  const { parentPort } = require('node:worker_threads');
  const CHUNKS = 32000;
  const server = createServer((req, res) => {
    let raw = '';
    req.on('data', (d) => (raw += d.toString('utf8')));
    req.on('end', () => {
      const model = String(JSON.parse(raw || '{}').model ?? '');
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      const chunk = (delta, extra = {}) =>
        'data: ' + JSON.stringify({ id: 'chatcmpl-hostile', object: 'chat.completion.chunk', created: 1, model, choices: [{ index: 0, delta, finish_reason: null, ...extra }] }) + '\\n\\n';
      const parts = [chunk({ role: 'assistant', content: '' })];
      if (model === 'hostile-tool-index') {
        parts.push(chunk({ tool_calls: [{ index: 100000000, id: 'call_x', type: 'function', function: { name: 'f', arguments: '{}' } }] }));
      } else if (model === 'hostile-fragments') {
        parts.push(chunk({ tool_calls: [{ index: 0, id: 'call_a', type: 'function', function: { name: 'write', arguments: '' } }] }));
        parts.push(chunk({ tool_calls: [{ index: 1, id: 'call_b', type: 'function', function: { name: 'write', arguments: '{}' } }] }));
        parts.push(chunk({ tool_calls: [{ index: 0, function: { arguments: '{"text":"' } }] }));
        for (let i = 0; i < CHUNKS; i++) parts.push(chunk({ tool_calls: [{ index: 0, function: { arguments: 'ab' } }] }));
        parts.push(chunk({ tool_calls: [{ index: 0, function: { arguments: '"}' } }] }));
      } else {
        for (let i = 0; i < CHUNKS; i++) parts.push(chunk({ content: 'x' }, { logprobs: { content: [{ token: 'x', logprob: -0.1, bytes: [120], top_logprobs: [] }] } }));
      }
      const finish = model === 'hostile-fragments' ? 'tool_calls' : 'stop';
      parts.push('data: ' + JSON.stringify({ id: 'chatcmpl-hostile', object: 'chat.completion.chunk', created: 1, model, choices: [{ index: 0, delta: {}, finish_reason: finish }], usage: { prompt_tokens: 5, completion_tokens: CHUNKS, total_tokens: CHUNKS + 5 } }) + '\\n\\n');
      parts.push('data: [DONE]\\n\\n');
      res.end(parts.join(''));
    });
  });
  // Longer than the adapter's pool keeps idle connections: a benchmark's idle minutes never race a close.
  server.keepAliveTimeout = 120000;
  server.listen(0, '127.0.0.1', () => parentPort.postMessage(server.address().port));
  parentPort.on('message', () => server.close(() => parentPort.postMessage('closed')));
`;

/**
 * An OpenAI-compatible upstream, in a worker thread, that answers with what once made the gateway's assembly
 * quadratic: 32k chunks each carrying logprobs, a tool call at index 1e8, one tool call's arguments in 32k
 * fragments while a second call waits.
 */
export function startHostileUpstream(): Promise<{ url: string; close(): Promise<void> }> {
  const worker = new Worker(UPSTREAM_SOURCE, { eval: true });
  return new Promise((resolve, reject) => {
    worker.once('error', reject);
    worker.once('message', (port: number) =>
      resolve({
        url: `http://127.0.0.1:${port}/v1`,
        close: () =>
          new Promise<void>((done) => {
            worker.once('message', () => void worker.terminate().then(() => done()));
            worker.postMessage('close');
          }),
      }),
    );
  });
}

/**
 * Sends `copies` of a hostile request from a worker thread and resolves with each status and how long it took: the
 * sender's own work (building, uploading, reading tens of megabytes) must not delay the caller's event loop, which
 * is busy timing normal requests meanwhile.
 */
export function sendFromWorker(baseUrl: string, key: string, c: HostileCase, copies: number): Promise<{ status: number; ms: number; text: string }[]> {
  const code = `
    const { parentPort, workerData: { url, headers, body, copies } } = require('node:worker_threads');
    Promise.all(Array.from({ length: copies }, async () => {
      const started = performance.now();
      const res = await fetch(url, { method: 'POST', headers, body });
      const text = await res.text();
      return { status: res.status, ms: performance.now() - started, text: text.slice(0, 2000) };
    })).then((r) => parentPort.postMessage(r), (e) => parentPort.postMessage({ error: String(e) }));`;
  const headers = { 'content-type': 'application/json', ...(c.anthropic ? { 'x-api-key': key } : { authorization: `Bearer ${key}` }) };
  const worker = new Worker(code, { eval: true, workerData: { url: `${baseUrl}${c.path}`, headers, body: c.body, copies } });
  return new Promise((resolve, reject) => {
    worker.once('message', (m: { error?: string } | { status: number; ms: number; text: string }[]) => {
      void worker.terminate();
      if (Array.isArray(m)) resolve(m);
      else reject(new Error(m.error));
    });
    worker.once('error', reject);
  });
}
