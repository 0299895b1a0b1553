import { strict as assert } from 'node:assert';
import { after, before, beforeEach, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { createMockProviderApp, type MockProviderApp } from '../src/mock-provider.app';

const KEY = 'sk-test-key-1234';
const user = (content = 'Say hello') => [{ role: 'user', content }];

interface SseEvent {
  data: string;
  /** ms since the request was sent */
  at: number;
}

interface SseResult {
  status: number;
  events: SseEvent[];
  /** the body ended with `data: [DONE]` */
  done: boolean;
  /** the connection broke before the body ended */
  cut: boolean;
}

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

describe('mock-provider over HTTP', () => {
  let mock: MockProviderApp;

  const post = (body: unknown, opts: { key?: string | null; path?: string; signal?: AbortSignal; raw?: boolean } = {}) =>
    fetch(`${mock.url}${opts.path ?? '/v1/chat/completions'}`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        ...(opts.key === null ? {} : { authorization: `Bearer ${opts.key ?? KEY}` }),
      },
      body: opts.raw ? (body as string) : JSON.stringify(body),
      signal: opts.signal,
    });

  async function stream(body: Json): Promise<SseResult> {
    const started = performance.now();
    const res = await post({ ...body, stream: true });
    const events: SseEvent[] = [];
    let buffer = '';
    let cut = false;
    const decoder = new TextDecoder();
    try {
      for await (const bytes of res.body!) {
        buffer += decoder.decode(bytes as Uint8Array, { stream: true });
        let end: number;
        while ((end = buffer.indexOf('\n\n')) >= 0) {
          const block = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          assert.ok(block.startsWith('data: '), `SSE block: ${block}`);
          events.push({ data: block.slice('data: '.length), at: performance.now() - started });
        }
      }
    } catch {
      cut = true;
    }
    const done = events.at(-1)?.data === '[DONE]';
    return { status: res.status, events, done, cut };
  }

  const chunksOf = (r: SseResult): Json[] => r.events.filter((e) => e.data !== '[DONE]').map((e) => JSON.parse(e.data));
  const contentOf = (chunks: Json[]) => chunks.map((c) => c.choices[0]?.delta?.content ?? '').join('');

  async function assertError(res: Response, status: number, type: string, code: string | null): Promise<Json> {
    assert.equal(res.status, status);
    assert.match(res.headers.get('content-type') ?? '', /application\/json/);
    const body = (await res.json()) as Json;
    assert.deepEqual(Object.keys(body.error).sort(), ['code', 'message', 'param', 'type']);
    assert.equal(body.error.type, type);
    assert.equal(body.error.code, code);
    assert.ok(body.error.message.length > 0);
    return body;
  }

  before(async () => {
    mock = await createMockProviderApp({ port: 0 });
  });
  after(async () => mock?.close());

  describe('basics', () => {
    it('serves /healthz and a model list in OpenAI format', async () => {
      assert.deepEqual(await (await fetch(`${mock.url}/healthz`)).json(), { status: 'ok' });
      const models = (await (await fetch(`${mock.url}/v1/models`, { headers: { authorization: `Bearer ${KEY}` } })).json()) as Json;
      assert.equal(models.object, 'list');
      assert.ok(models.data.length >= 3);
      assert.ok(models.data.every((m: Json) => m.object === 'model' && typeof m.id === 'string' && typeof m.created === 'number'));
      assert.ok(models.data.some((m: Json) => m.id === 'deepseek-chat'));
    });

    it('answers 401 invalid_api_key without a key or with sk-invalid', async () => {
      await assertError(await post({ model: 'gpt-4o', messages: user() }, { key: null }), 401, 'invalid_request_error', 'invalid_api_key');
      const body = await assertError(await post({ model: 'gpt-4o', messages: user() }, { key: 'sk-invalid' }), 401, 'invalid_request_error', 'invalid_api_key');
      assert.equal(body.error.param, null);
      await assertError(await fetch(`${mock.url}/v1/models`), 401, 'invalid_request_error', 'invalid_api_key');
    });

    it('answers 400 in OpenAI format for bodies it cannot use, never 500', async () => {
      await assertError(await post('{"model": "gpt-4o", "messages": [', { raw: true }), 400, 'invalid_request_error', null);
      await assertError(await post([1, 2, 3]), 400, 'invalid_request_error', null);
      const missing = await assertError(await post({ model: 'gpt-4o' }), 400, 'invalid_request_error', 'missing_required_parameter');
      assert.equal(missing.error.param, 'messages');
      const wrong = await assertError(await post({ model: 'gpt-4o', messages: 'hi' }), 400, 'invalid_request_error', 'invalid_value');
      assert.equal(wrong.error.param, 'messages');
    });

    it('answers 404 in OpenAI format for unknown paths', async () => {
      await assertError(await fetch(`${mock.url}/v1/nope`), 404, 'invalid_request_error', 'unknown_url');
    });
  });

  describe('non-streaming', () => {
    it('returns a chat.completion with deterministic content and usage', async () => {
      const messages = [
        { role: 'system', content: 'be brief' },
        { role: 'user', content: 'Say hello' },
      ];
      const res = await post({ model: 'deepseek-chat', messages });
      assert.equal(res.status, 200);
      const body = (await res.json()) as Json;
      assert.match(body.id, /^chatcmpl-/);
      assert.equal(body.object, 'chat.completion');
      assert.equal(typeof body.created, 'number');
      assert.equal(body.model, 'deepseek-chat');
      assert.equal(body.system_fingerprint, 'fp_mock');
      assert.equal(body.choices.length, 1);
      const [choice] = body.choices;
      assert.equal(choice.index, 0);
      assert.equal(choice.finish_reason, 'stop');
      assert.equal(choice.logprobs, null);
      assert.equal(choice.message.role, 'assistant');
      assert.equal(choice.message.refusal, null);
      assert.equal(choice.message.content.split(' ').length, 16);
      // (4 + ceil(8 / 4)) + (4 + ceil(9 / 4)) + 3
      assert.deepEqual(body.usage, {
        prompt_tokens: 16,
        completion_tokens: 16,
        total_tokens: 32,
        prompt_tokens_details: { cached_tokens: 0 },
        completion_tokens_details: { reasoning_tokens: 0 },
      });
      const again = (await (await post({ model: 'deepseek-chat', messages })).json()) as Json;
      assert.equal(again.choices[0].message.content, choice.message.content);
    });

    it('echoes the base model name, honours tokens= and the client cap', async () => {
      const long = (await (await post({ model: 'gpt-4o+tokens=40+unknown=1', messages: user() })).json()) as Json;
      assert.equal(long.model, 'gpt-4o');
      assert.equal(long.usage.completion_tokens, 40);
      const capped = (await (await post({ model: 'gpt-4o', messages: user(), max_tokens: 5 })).json()) as Json;
      assert.equal(capped.choices[0].finish_reason, 'length');
      assert.equal(capped.usage.completion_tokens, 5);
    });

    it('returns n identical choices and counts them all', async () => {
      const body = (await (await post({ model: 'gpt-4o', messages: user(), n: 3, max_completion_tokens: 4 })).json()) as Json;
      assert.deepEqual(
        body.choices.map((c: Json) => c.index),
        [0, 1, 2],
      );
      assert.ok(body.choices.every((c: Json) => c.message.content === body.choices[0].message.content));
      assert.equal(body.usage.completion_tokens, 12);
    });

    it('omits usage with usage=none', async () => {
      const body = (await (await post({ model: 'gpt-4o+usage=none', messages: user() })).json()) as Json;
      assert.ok(!('usage' in body));
      assert.equal(body.choices[0].finish_reason, 'stop');
    });
  });

  describe('streaming', () => {
    it('sends role, content and finish chunks then [DONE], with no usage unless asked', async () => {
      const r = await stream({ model: 'gpt-4o', messages: user() });
      assert.equal(r.status, 200);
      assert.ok(r.done && !r.cut);
      const chunks = chunksOf(r);
      assert.equal(chunks.length, 18);
      assert.ok(chunks.every((c) => c.object === 'chat.completion.chunk' && c.id === chunks[0].id && c.created === chunks[0].created));
      assert.ok(chunks.every((c) => c.model === 'gpt-4o' && c.system_fingerprint === 'fp_mock' && !('usage' in c)));
      assert.deepEqual(chunks[0].choices[0], { index: 0, delta: { role: 'assistant', content: '' }, logprobs: null, finish_reason: null });
      assert.deepEqual(chunks.at(-1)!.choices[0], { index: 0, delta: {}, logprobs: null, finish_reason: 'stop' });
      const plain = (await (await post({ model: 'gpt-4o', messages: user() })).json()) as Json;
      assert.equal(contentOf(chunks), plain.choices[0].message.content);
    });

    it('appends a usage chunk (and usage null elsewhere) only with include_usage', async () => {
      const r = await stream({ model: 'gpt-4o', messages: user(), stream_options: { include_usage: true } });
      assert.ok(r.done);
      const chunks = chunksOf(r);
      const last = chunks.at(-1)!;
      assert.deepEqual(last.choices, []);
      const plain = (await (await post({ model: 'gpt-4o', messages: user() })).json()) as Json;
      assert.deepEqual(last.usage, plain.usage);
      assert.ok(chunks.slice(0, -1).every((c) => c.usage === null));

      const suppressed = chunksOf(await stream({ model: 'gpt-4o+usage=none', messages: user(), stream_options: { include_usage: true } }));
      assert.ok(suppressed.every((c) => c.choices.length === 1 && !('usage' in c)));
    });

    it('streams parallel tool calls whose fragments reassemble into valid JSON arguments', async () => {
      const tools = [
        { type: 'function', function: { name: 'get_weather', parameters: { type: 'object', properties: { city: { type: 'string' }, days: { type: 'integer' } } } } },
        { type: 'function', function: { name: 'get_time', parameters: { type: 'object', properties: { tz: { type: 'string', enum: ['UTC', 'CET'] } } } } },
      ];
      const r = await stream({ model: 'gpt-4o', messages: user('Weather and time?'), tools, stream_options: { include_usage: true } });
      assert.ok(r.done);
      const chunks = chunksOf(r);
      assert.deepEqual(chunks[0].choices[0].delta, { role: 'assistant', content: null });
      const calls = new Map<number, { id?: string; name?: string; args: string }>();
      for (const chunk of chunks) {
        for (const tc of chunk.choices[0]?.delta?.tool_calls ?? []) {
          const slot = calls.get(tc.index) ?? { args: '' };
          if (tc.id) Object.assign(slot, { id: tc.id, name: tc.function.name });
          assert.ok(tc.function.arguments.length <= 8);
          slot.args += tc.function.arguments;
          calls.set(tc.index, slot);
        }
      }
      assert.equal(calls.size, 2);
      assert.match(calls.get(0)!.id!, /^call_/);
      assert.equal(calls.get(0)!.name, 'get_weather');
      assert.deepEqual(JSON.parse(calls.get(0)!.args), { city: 'mock', days: 42 });
      assert.equal(calls.get(1)!.name, 'get_time');
      assert.deepEqual(JSON.parse(calls.get(1)!.args), { tz: 'UTC' });
      assert.equal(chunks.at(-2)!.choices[0].finish_reason, 'tool_calls');
      const argChars = calls.get(0)!.args.length + calls.get(1)!.args.length;
      assert.equal(chunks.at(-1)!.usage.completion_tokens, Math.ceil(argChars / 4) + 10);
    });

    it('calls one named tool in a plain response', async () => {
      const tools = [
        { type: 'function', function: { name: 'a', parameters: { properties: { ok: { type: 'boolean' } } } } },
        { type: 'function', function: { name: 'b' } },
      ];
      const body = (await (await post({ model: 'gpt-4o', messages: user(), tools, tool_choice: { type: 'function', function: { name: 'b' } } })).json()) as Json;
      const { message, finish_reason } = body.choices[0];
      assert.equal(finish_reason, 'tool_calls');
      assert.equal(message.content, null);
      assert.equal(message.tool_calls.length, 1);
      assert.equal(message.tool_calls[0].function.name, 'b');
      assert.equal(message.tool_calls[0].function.arguments, '{}');
    });

    it('streams reasoning_content before the answer for a reasoning model', async () => {
      const chunks = chunksOf(await stream({ model: 'deepseek-reasoner', messages: user(), stream_options: { include_usage: true } }));
      const reasoning = chunks.filter((c) => typeof c.choices[0]?.delta?.reasoning_content === 'string');
      assert.equal(reasoning.length, 8);
      assert.ok(reasoning.every((c) => c.choices[0].delta.content === null));
      const firstContent = chunks.findIndex((c) => typeof c.choices[0]?.delta?.content === 'string' && c.choices[0].delta.content !== '');
      assert.ok(firstContent > chunks.indexOf(reasoning.at(-1)!));
      assert.equal(chunks.at(-1)!.usage.completion_tokens_details.reasoning_tokens, 8);
      assert.equal(chunks.at(-1)!.usage.completion_tokens, 24);

      const plain = (await (await post({ model: 'deepseek-reasoner', messages: user() })).json()) as Json;
      assert.equal(plain.choices[0].message.reasoning_content, reasoning.map((c) => c.choices[0].delta.reasoning_content).join(''));
      assert.equal(plain.usage.completion_tokens_details.reasoning_tokens, 8);
    });
  });

  describe('scripted failures', () => {
    it('fail=500 answers OpenAI server_error', async () => {
      const res = await post({ model: 'gpt-4o+fail=500', messages: user() });
      assert.equal(res.status, 500);
      assert.deepEqual(await res.json(), {
        error: { message: 'The server had an error while processing your request.', type: 'server_error', param: null, code: null },
      });
    });

    it('fail=429 answers rate_limit_exceeded with retry-after (default 1)', async () => {
      const res = await post({ model: 'gpt-4o+fail=429+retry-after=2', messages: user(), stream: true });
      await assertError(res, 429, 'rate_limit_error', 'rate_limit_exceeded');
      assert.equal(res.headers.get('retry-after'), '2');
      const fallback = await post({ model: 'gpt-4o+fail=429', messages: user() });
      assert.equal(fallback.headers.get('retry-after'), '1');
      await fallback.body?.cancel();
    });

    it('fail=400 answers invalid_request_error', async () => {
      await assertError(await post({ model: 'gpt-4o+fail=400', messages: user() }), 400, 'invalid_request_error', 'invalid_value');
    });

    it('fail=timeout sends nothing until the client aborts, and stays healthy', async () => {
      const ctrl = new AbortController();
      const pending = post({ model: 'gpt-4o+fail=timeout', messages: user(), stream: true }, { signal: ctrl.signal });
      const first = await Promise.race([pending.then(() => 'answered'), sleep(300).then(() => 'silent')]);
      assert.equal(first, 'silent');
      ctrl.abort();
      await assert.rejects(pending, { name: 'AbortError' });
      assert.equal((await post({ model: 'gpt-4o', messages: user() })).status, 200);
    });

    it('clears the time-to-first-byte timer when the client leaves early', async () => {
      const timers = () => process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length;
      const ctrl = new AbortController();
      const pending = post({ model: 'gpt-4o+ttft=60000', messages: user() }, { signal: ctrl.signal }).catch(() => undefined);
      await sleep(100);
      const waiting = timers();
      ctrl.abort();
      await pending;
      await sleep(100);
      assert.ok(timers() < waiting, `timers before abort ${waiting}, after ${timers()}`);
    });

    it('fail=disconnect cuts a stream after fail-after content chunks, without [DONE]', async () => {
      const r = await stream({ model: 'gpt-4o+fail=disconnect+fail-after=3', messages: user() });
      assert.equal(r.status, 200);
      assert.ok(r.cut, 'the connection breaks');
      assert.ok(!r.done);
      const chunks = chunksOf(r);
      assert.equal(chunks.length, 4, 'role chunk + 3 content chunks');
      assert.ok(chunks.every((c) => c.choices[0].finish_reason === null));
    });

    it('fail=disconnect drops a plain request without an answer', async () => {
      await assert.rejects(post({ model: 'gpt-4o+fail=disconnect', messages: user() }), TypeError);
    });

    it('fail=malformed sends a broken JSON chunk after fail-after chunks, then ends without [DONE]', async () => {
      const r = await stream({ model: 'gpt-4o+fail=malformed+fail-after=2', messages: user() });
      assert.ok(!r.done && !r.cut);
      assert.equal(r.events.length, 4);
      r.events.slice(0, 3).forEach((e) => JSON.parse(e.data));
      const broken = r.events.at(-1)!.data;
      assert.equal(broken, '{"id":"broken",');
      assert.throws(() => JSON.parse(broken), SyntaxError);
    });
  });

  describe('pacing', () => {
    it('ttft= delays the first byte', async () => {
      const started = performance.now();
      const res = await post({ model: 'gpt-4o+ttft=250', messages: user(), stream: true });
      const waited = performance.now() - started;
      await res.text();
      assert.ok(waited >= 240, `first byte after ${waited.toFixed(0)} ms`);
      const quick = performance.now();
      await (await post({ model: 'gpt-4o', messages: user(), stream: true })).text();
      assert.ok(performance.now() - quick < 200);
    });

    it('tps= spaces the content chunks', async () => {
      const r = await stream({ model: 'gpt-4o+tps=40+tokens=6', messages: user() });
      assert.ok(r.done);
      const spread = r.events.at(-1)!.at - r.events[0].at;
      // 6 tokens at 40/s is 150 ms of generation.
      assert.ok(spread >= 130, `content spread over ${spread.toFixed(0)} ms`);
    });

    it('chunk-delay= stalls before chunk stall-at, then the stream completes', async () => {
      const r = await stream({ model: 'gpt-4o+chunk-delay=300+stall-at=3+tokens=5', messages: user() });
      assert.ok(r.done);
      const gaps = r.events.slice(1).map((e, i) => e.at - r.events[i].at);
      // events: role, token 1, token 2, [stall] token 3 ...
      assert.ok(gaps[2] >= 280, `gap before the third content chunk: ${gaps[2].toFixed(0)} ms`);
      assert.ok(gaps.filter((g) => g >= 280).length === 1);
    });
  });

  describe('request log', () => {
    beforeEach(async () => {
      assert.equal((await fetch(`${mock.url}/mock/requests`, { method: 'DELETE' })).status, 204);
    });

    it('keeps received chat requests, newest last, with the key masked', async () => {
      const first = { model: 'gpt-4o+tokens=2', messages: user('first'), temperature: 0.3, user: 'u-1' };
      await (await post(first)).text();
      await (await post({ model: 'deepseek-chat', messages: user('second') }, { path: '/chat/completions' })).text();
      const log = (await (await fetch(`${mock.url}/mock/requests`)).json()) as Json;
      assert.equal(log.data.length, 2);
      const [a, b] = log.data;
      assert.deepEqual(a.body, first);
      assert.equal(a.path, '/v1/chat/completions');
      assert.equal(a.model, 'gpt-4o+tokens=2');
      assert.equal(a.headers.authorization, 'Bearer ***1234');
      assert.equal(a.headers['content-type'], 'application/json');
      assert.ok(!JSON.stringify(log).includes(KEY));
      assert.equal(b.path, '/chat/completions');
      assert.equal(b.model, 'deepseek-chat');
    });

    it('is emptied by DELETE', async () => {
      await (await post({ model: 'gpt-4o', messages: user() })).text();
      await fetch(`${mock.url}/mock/requests`, { method: 'DELETE' });
      const log = (await (await fetch(`${mock.url}/mock/requests`)).json()) as Json;
      assert.deepEqual(log.data, []);
    });
  });
});

describe('createMockProviderApp options', () => {
  it('applies the app-wide ttftMs default, which ttft= overrides', async () => {
    const slow = await createMockProviderApp({ port: 0, ttftMs: 200 });
    try {
      assert.match(slow.url, /^http:\/\/127\.0\.0\.1:\d+$/);
      const call = async (model: string) => {
        const started = performance.now();
        const res = await fetch(`${slow.url}/v1/chat/completions`, {
          method: 'POST',
          headers: { authorization: `Bearer ${KEY}`, 'content-type': 'application/json' },
          body: JSON.stringify({ model, messages: user() }),
        });
        await res.json();
        return performance.now() - started;
      };
      assert.ok((await call('gpt-4o')) >= 190);
      assert.ok((await call('gpt-4o+ttft=0')) < 150);
    } finally {
      await slow.close();
    }
  });
});
