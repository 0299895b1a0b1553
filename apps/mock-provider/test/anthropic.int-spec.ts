import { strict as assert } from 'node:assert';
import { after, before, describe, it } from 'node:test';
import { createMockProviderApp, type MockProviderApp } from '../src/mock-provider.app';
import { type Json, postJson, readSse, type SseResult } from './http-client';

const HEADERS = { 'x-api-key': 'sk-ant-test-5678', 'anthropic-version': '2023-06-01' };
const messages = [{ role: 'user', content: 'Say hello' }];
const TOOLS = [
  { name: 'get_weather', input_schema: { type: 'object', properties: { city: { type: 'string' }, days: { type: 'integer' } } } },
  { name: 'get_time', input_schema: { type: 'object', properties: { tz: { type: 'string', enum: ['UTC', 'CET'] } } } },
];

/** Event name and payload of each SSE block; the name must repeat the payload's type. */
function events(r: SseResult): { event: string; data: Json }[] {
  return r.blocks.map((b) => {
    const data = JSON.parse(b.data ?? 'null') as Json;
    assert.equal(b.event, data.type, `event ${b.event} carries ${data.type}`);
    return { event: b.event!, data };
  });
}

describe('Anthropic Messages API over HTTP', () => {
  let mock: MockProviderApp;
  const url = (path = '/anthropic/v1/messages') => `${mock.url}${path}`;
  const create = (body: Json, headers: Record<string, string> = HEADERS) => postJson(url(), body, headers);
  const stream = (body: Json) => readSse(url(), { ...body, stream: true }, HEADERS);

  before(async () => {
    mock = await createMockProviderApp({ port: 0 });
  });
  after(async () => mock?.close());

  describe('requests it refuses', () => {
    it('needs a key (401) and an API version (400), answered in Anthropic error format', async () => {
      const noKey = await create({ model: 'c', max_tokens: 10, messages }, { 'anthropic-version': '2023-06-01' });
      assert.equal(noKey.status, 401);
      assert.equal(noKey.body.type, 'error');
      assert.deepEqual(noKey.body.error, { type: 'authentication_error', message: 'x-api-key header is required' });
      assert.match(noKey.body.request_id, /^req_/);
      assert.equal(noKey.headers.get('request-id'), noKey.body.request_id);

      const noVersion = await create({ model: 'c', max_tokens: 10, messages }, { 'x-api-key': 'sk-ant-1' });
      assert.deepEqual([noVersion.status, noVersion.body.error.type], [400, 'invalid_request_error']);
      const revoked = await create({ model: 'c', max_tokens: 10, messages }, { ...HEADERS, 'x-api-key': 'sk-invalid' });
      assert.deepEqual([revoked.status, revoked.body.error.type], [401, 'authentication_error']);
    });

    it('requires max_tokens and says so the way Anthropic does', async () => {
      const res = await create({ model: 'c', messages });
      assert.deepEqual([res.status, res.body.error], [400, { type: 'invalid_request_error', message: 'max_tokens: Field required' }]);
    });

    it('answers an unknown path and a broken body in Anthropic format too', async () => {
      const missing = await postJson(url('/anthropic/v1/complete'), {}, HEADERS);
      assert.deepEqual([missing.status, missing.body.type, missing.body.error.type], [404, 'error', 'not_found_error']);
      const broken = await postJson(url(), '{"model":', HEADERS);
      assert.deepEqual([broken.status, broken.body.error.type], [400, 'invalid_request_error']);
    });
  });

  describe('scripted failures', () => {
    it('maps each fail= directive to Anthropic statuses and error types', async () => {
      const expected: Record<string, [number, string, RegExp]> = {
        overloaded: [529, 'overloaded_error', /^Overloaded$/],
        quota: [400, 'invalid_request_error', /credit balance is too low/],
        context: [400, 'invalid_request_error', /^prompt is too long: \d+ tokens > \d+ maximum$/],
        '401': [401, 'authentication_error', /invalid x-api-key/],
        '429': [429, 'rate_limit_error', /rate limit/],
        '500': [500, 'api_error', /Internal server error/],
      };
      for (const [failure, [status, type, message]] of Object.entries(expected)) {
        const res = await create({ model: `claude+fail=${failure}`, max_tokens: 10, messages });
        assert.deepEqual([res.status, res.body.error.type], [status, type], `fail=${failure}`);
        assert.match(res.body.error.message, message);
      }
      const limited = await create({ model: 'claude+fail=429+retry-after=3', max_tokens: 10, messages });
      assert.equal(limited.headers.get('retry-after'), '3');
    });

    it('reports a mid-stream failure as an error event after fail-after deltas, with no message_stop', async () => {
      const r = await stream({ model: 'claude+fail=stream-error+fail-after=2', max_tokens: 50, messages });
      assert.equal(r.status, 200);
      const all = events(r);
      assert.deepEqual(
        all.map((e) => e.event),
        ['message_start', 'content_block_start', 'ping', 'content_block_delta', 'content_block_delta', 'error'],
      );
      assert.deepEqual(all.at(-1)!.data, { type: 'error', error: { type: 'overloaded_error', message: 'Overloaded' } });
    });

    it('cuts the stream mid-JSON on fail=malformed', async () => {
      const r = await stream({ model: 'claude+fail=malformed+fail-after=1', max_tokens: 50, messages });
      const last = r.blocks.at(-1)!;
      assert.equal(last.event, 'content_block_delta');
      assert.throws(() => JSON.parse(last.data!), SyntaxError);
    });
  });

  describe('answers', () => {
    it('returns a Message whose input tokens equal the OpenAI prompt tokens of the same conversation', async () => {
      const res = await create({ model: 'claude-sonnet-4-5', max_tokens: 100, system: 'be brief', messages });
      assert.equal(res.status, 200);
      const openai = await postJson(
        `${mock.url}/openai/v1/chat/completions`,
        { model: 'gpt-4o', messages: [{ role: 'system', content: 'be brief' }, ...messages] },
        { authorization: 'Bearer sk-x' },
      );
      assert.match(res.body.id, /^msg_[0-9a-f]{24}$/);
      assert.deepEqual(
        [res.body.type, res.body.role, res.body.model, res.body.stop_reason, res.body.stop_sequence],
        ['message', 'assistant', 'claude-sonnet-4-5', 'end_turn', null],
      );
      assert.deepEqual(res.body.content, [{ type: 'text', text: openai.body.choices[0].message.content }]);
      assert.deepEqual(res.body.usage, {
        input_tokens: openai.body.usage.prompt_tokens,
        cache_creation_input_tokens: 0,
        cache_read_input_tokens: 0,
        output_tokens: openai.body.usage.completion_tokens,
        service_tier: 'standard',
      });
    });

    it('accepts the key as a bearer token, as the current official SDK sends it', async () => {
      const res = await create({ model: 'c', max_tokens: 5, messages }, { authorization: 'Bearer sk-ant-1', 'anthropic-version': '2023-06-01' });
      assert.equal(res.status, 200);
    });

    it('streams the exact event sequence, and the deltas spell the plain answer', async () => {
      const body = { model: 'claude-x', max_tokens: 100, messages };
      const plain = await create(body);
      const r = await stream(body);
      assert.equal(r.status, 200);
      assert.match(r.headers.get('content-type') ?? '', /text\/event-stream/);
      const all = events(r);
      const names = all.map((e) => e.event);
      assert.deepEqual(names.slice(0, 3), ['message_start', 'content_block_start', 'ping']);
      assert.deepEqual(names.slice(-3), ['content_block_stop', 'message_delta', 'message_stop']);
      assert.ok(names.slice(3, -3).every((n) => n === 'content_block_delta'));
      assert.equal(all[0].data.message.usage.input_tokens, plain.body.usage.input_tokens);
      const text = all.filter((e) => e.data.delta?.type === 'text_delta').map((e) => e.data.delta.text).join('');
      assert.equal(text, plain.body.content[0].text);
      assert.deepEqual(all.at(-2)!.data.delta, { stop_reason: 'end_turn', stop_sequence: null });
      assert.equal(all.at(-2)!.data.usage.output_tokens, plain.body.usage.output_tokens);
    });

    it('calls tools with tool_use blocks whose input_json_delta fragments rebuild the input', async () => {
      const r = await stream({ model: 'claude-x', max_tokens: 100, messages, tools: TOOLS });
      const all = events(r);
      const starts = all.filter((e) => e.event === 'content_block_start').map((e) => e.data.content_block);
      assert.deepEqual(
        starts.map((b) => [b.type, b.name, b.input]),
        [
          ['tool_use', 'get_weather', {}],
          ['tool_use', 'get_time', {}],
        ],
      );
      assert.ok(starts.every((b) => /^toolu_[0-9a-f]{24}$/.test(b.id)));
      const inputs = [0, 1].map((index) =>
        JSON.parse(
          all
            .filter((e) => e.data.index === index && e.data.delta?.type === 'input_json_delta')
            .map((e) => e.data.delta.partial_json)
            .join(''),
        ),
      );
      assert.deepEqual(inputs, [{ city: 'mock', days: 42 }, { tz: 'UTC' }]);
      assert.equal(all.at(-2)!.data.delta.stop_reason, 'tool_use');

      const one = await create({ model: 'claude-x', max_tokens: 100, messages, tools: TOOLS, tool_choice: { type: 'tool', name: 'get_time' } });
      assert.deepEqual(
        one.body.content.map((b: Json) => [b.type, b.name, b.input]),
        [['tool_use', 'get_time', { tz: 'UTC' }]],
      );
    });

    it('thinks first with thinking and signature deltas when thinking is enabled, counting them as output', async () => {
      const body = { model: 'claude-x+tokens=4', max_tokens: 2048, messages, thinking: { type: 'enabled', budget_tokens: 1024 } };
      const all = events(await stream(body));
      const blocks = all.filter((e) => e.event === 'content_block_start').map((e) => e.data.content_block.type);
      assert.deepEqual(blocks, ['thinking', 'text']);
      const thinkingDeltas = all.filter((e) => e.data.index === 0 && e.event === 'content_block_delta').map((e) => e.data.delta.type);
      assert.deepEqual(thinkingDeltas, [...Array(8).fill('thinking_delta'), 'signature_delta']);
      assert.equal(all.at(-2)!.data.usage.output_tokens, 8 + 4);
      const plain = await create(body);
      assert.deepEqual(
        plain.body.content.map((b: Json) => b.type),
        ['thinking', 'text'],
      );
      assert.equal(typeof plain.body.content[0].signature, 'string');
    });

    it('stops at a stop sequence, naming it, without sending it', async () => {
      const words = ((await create({ model: 'claude-x', max_tokens: 6, messages })).body.content[0].text as string).split(' ');
      const stop = `${words[1]} ${words[2]}`;
      const res = await create({ model: 'claude-x', max_tokens: 6, messages, stop_sequences: [stop] });
      assert.deepEqual([res.body.stop_reason, res.body.stop_sequence, res.body.content[0].text], ['stop_sequence', stop, `${words[0]} `]);
      const capped = await create({ model: 'claude-x+tokens=40', max_tokens: 6, messages });
      assert.deepEqual([capped.body.stop_reason, capped.body.usage.output_tokens], ['max_tokens', 6]);
    });

    it('reports cached prompt tokens as cache reads, outside input_tokens', async () => {
      const res = await create({ model: 'claude-x+cached=4', max_tokens: 10, messages });
      assert.deepEqual([res.body.usage.cache_read_input_tokens, res.body.usage.input_tokens], [4, 10 - 4]);
    });

    it('counts tokens like create does', async () => {
      const body = { model: 'claude-x', system: 'be brief', messages, tools: TOOLS };
      const count = await postJson(url('/anthropic/v1/messages/count_tokens'), body, HEADERS);
      assert.equal(count.status, 200);
      const created = await create({ ...body, max_tokens: 10, tool_choice: { type: 'none' } });
      assert.deepEqual(count.body, { input_tokens: created.body.usage.input_tokens });
      const unauthenticated = await postJson(url('/anthropic/v1/messages/count_tokens'), body, { 'anthropic-version': '2023-06-01' });
      assert.equal(unauthenticated.status, 401);
    });

    it('logs the request with the x-api-key masked', async () => {
      await fetch(`${mock.url}/mock/requests`, { method: 'DELETE' });
      await create({ model: 'claude-x', max_tokens: 5, messages });
      const log = (await (await fetch(`${mock.url}/mock/requests`)).json()) as Json;
      assert.deepEqual(
        log.data.map((e: Json) => [e.path, e.headers['x-api-key'], e.headers['anthropic-version']]),
        [['/anthropic/v1/messages', '***5678', '2023-06-01']],
      );
    });
  });
});
