import { strict as assert } from 'node:assert';
import { after, before, describe, it } from 'node:test';
import { MOCK_PATHS } from '@tokenflow/tools';
import { adminApi, type Platform, startPlatform } from './support/platform';
import { RESPONSE_EVENT_SCHEMAS, type ResponseEventType, TOP_LEVEL, type TopLevel, validators, violations } from './support/openai-schemas/openai-schemas';

/**
 * Issue 15 point 6: every public /v1 answer validates against the component schemas of OpenAI's OpenAPI spec
 * (vendored in support/openai-schemas). Raw fetch, so the JSON is exactly what a client receives.
 */

/** One model per wire format; the OpenAI-compatible ones all differ in quirks, so each is covered. */
const CHAT_MODELS = ['deepseek-v3', 'gpt-4o', 'qwen-max', 'kimi-k2', 'glm-4-plus', 'claude-sonnet'];
/** `/v1/responses`: one model per wire format (OpenAI's own, OpenAI-compatible, Zhipu, Anthropic) and deepseek-r1 for reasoning. */
const RESPONSES_MODELS = ['gpt-4o', 'deepseek-v3', 'glm-4-plus', 'claude-sonnet', 'deepseek-r1'];
/** Embedding models and the provider whose mock path serves them. */
const EMBEDDING_MODELS: Record<string, string> = { 'text-embedding-3-small': 'openai', 'text-embedding-v3': 'qwen', 'embedding-3': 'zhipu' };

const tools = [
  { type: 'function', function: { name: 'get_weather', parameters: { type: 'object', properties: { city: { type: 'string' } } } } },
  { type: 'function', function: { name: 'get_time', parameters: { type: 'object', properties: { tz: { type: 'string' } } } } },
];
const user = (content = 'Say hello.') => [{ role: 'user', content }];

/** Fails with every ajv violation (path and message) of `value` against `schema`. */
function assertConforms(schema: TopLevel, value: unknown, what: string): void {
  const found = explainedViolations(schema, value);
  assert.deepEqual(found, [], `${what} violates ${schema}:\n  ${found.join('\n  ')}\n  body: ${JSON.stringify(value).slice(0, 600)}`);
}

type Json = Record<string, unknown>;
const isObj = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Output items by `type` → the one `OutputItem` member that type names (ours: messages, function calls, reasoning). */
const OUTPUT_ITEM_SCHEMAS: Record<string, string> = { message: 'OutputMessage', function_call: 'FunctionToolCall', reasoning: 'ReasoningItem' };
/** Input-item list entries by `type` (and role) → the `ItemResource` member. */
const ITEM_RESOURCE_SCHEMAS: Record<string, string> = { function_call: 'FunctionToolCallResource', function_call_output: 'FunctionToolCallOutputResource', reasoning: 'ReasoningItem' };
const itemResourceSchema = (it: Json) => (it.type === 'message' || it.type === undefined ? (it.role === 'assistant' ? 'OutputMessage' : 'InputMessageResource') : ITEM_RESOURCE_SCHEMAS[String(it.type)]);

/** Where a top-level value nests `OutputItem`/`ItemResource` members, with the schema each one must match. */
function nestedItems(schema: string, value: unknown): { path: string; item: unknown; schema: string | undefined }[] {
  if (!isObj(value)) return [];
  const outputOf = (r: unknown, base: string) =>
    isObj(r) && Array.isArray(r.output) ? r.output.map((item, i) => ({ path: `${base}/output/${i}`, item, schema: isObj(item) ? OUTPUT_ITEM_SCHEMAS[String(item.type)] : undefined })) : [];
  if (schema === 'Response') return outputOf(value, '');
  if (schema === 'ResponseItemList' && Array.isArray(value.data)) return value.data.map((item, i) => ({ path: `/data/${i}`, item, schema: isObj(item) ? itemResourceSchema(item) : undefined }));
  if ('response' in value) return outputOf(value.response, '/response');
  if ('item' in value) return [{ path: '/item', item: value.item, schema: isObj(value.item) ? OUTPUT_ITEM_SCHEMAS[String(value.item.type)] : undefined }];
  return [];
}

/**
 * Every violation of `value` against `schema`, with the noise of the spec's 28-way `OutputItem` / `ItemResource`
 * `oneOf` replaced by the violations of the one member the item's `type` names (the errors of every other member say
 * only "not that type"). Nothing is dropped: an item whose member-specific check passes keeps its `oneOf` errors.
 */
function explainedViolations(schema: string, value: unknown): string[] {
  const all = violations(schema, value);
  if (all.length === 0) return all;
  let rest = all;
  const targeted: string[] = [];
  for (const n of nestedItems(schema, value)) {
    if (!n.schema) {
      targeted.push(`${n.path} has type ${JSON.stringify(isObj(n.item) ? n.item.type : n.item)}, which no vendored output item schema covers`);
      continue;
    }
    const own = violations(n.schema, n.item).map((v) => `${n.path}${v.startsWith('/ ') ? v.slice(1) : v} [as ${n.schema}]`);
    if (own.length === 0) continue;
    rest = rest.filter((v) => !(v.startsWith(`${n.path} `) || v.startsWith(`${n.path}/`)));
    targeted.push(...own);
  }
  return [...rest, ...targeted];
}

/**
 * A Response object exactly as the spec requires it (every `required`, nullable fields null, usage details whole); an
 * override of `undefined` removes the field (`usage` is not nullable in the spec: a Response without usage omits it).
 */
const goodResponse = (over: Json = {}): Json => Object.fromEntries(Object.entries({
  id: 'resp_1', object: 'response', created_at: 1, status: 'completed', error: null, incomplete_details: null, instructions: null,
  max_output_tokens: null, model: 'm', parallel_tool_calls: true, previous_response_id: null, reasoning: { effort: null, summary: null },
  store: true, temperature: 1, text: { format: { type: 'text' } }, tool_choice: 'auto', top_p: 1, truncation: 'disabled', metadata: {},
  tools: [{ type: 'function', name: 'get_weather', description: null, parameters: { type: 'object' }, strict: true }],
  output: [
    { type: 'reasoning', id: 'rs_1', summary: [{ type: 'summary_text', text: 'think' }] },
    { type: 'message', id: 'msg_1', status: 'completed', role: 'assistant', content: [{ type: 'output_text', text: 'hi', annotations: [], logprobs: [] }] },
    { type: 'function_call', id: 'fc_1', call_id: 'call_1', name: 'get_weather', arguments: '{}', status: 'completed' },
  ],
  usage: { input_tokens: 1, input_tokens_details: { cached_tokens: 0, cache_write_tokens: 0 }, output_tokens: 1, output_tokens_details: { reasoning_tokens: 0 }, total_tokens: 2 },
  ...over,
}).filter(([, v]) => v !== undefined));

/** One known-good event per vendored event schema, and a known-bad variant breaking one rule the spec states. */
const at = { item_id: 'msg_1', output_index: 0 };
const goodEvents: Record<ResponseEventType, Json> = {
  'response.created': { response: goodResponse({ status: 'in_progress', output: [], usage: undefined }) },
  'response.in_progress': { response: goodResponse({ status: 'in_progress', output: [], usage: undefined }) },
  'response.completed': { response: goodResponse() },
  'response.failed': { response: goodResponse({ status: 'failed', error: { code: 'server_error', message: 'boom' }, usage: undefined }) },
  'response.incomplete': { response: goodResponse({ status: 'incomplete', incomplete_details: { reason: 'max_output_tokens' } }) },
  'response.output_item.added': { output_index: 0, item: { type: 'message', id: 'msg_1', status: 'in_progress', role: 'assistant', content: [] } },
  'response.output_item.done': { output_index: 2, item: { type: 'function_call', id: 'fc_1', call_id: 'call_1', name: 'f', arguments: '{}', status: 'completed' } },
  'response.content_part.added': { ...at, content_index: 0, part: { type: 'output_text', text: '', annotations: [], logprobs: [] } },
  'response.content_part.done': { ...at, content_index: 0, part: { type: 'output_text', text: 'hi', annotations: [], logprobs: [] } },
  'response.output_text.delta': { ...at, content_index: 0, delta: 'h', logprobs: [] },
  'response.output_text.done': { ...at, content_index: 0, text: 'hi', logprobs: [] },
  'response.refusal.delta': { ...at, content_index: 0, delta: 'no' },
  'response.refusal.done': { ...at, content_index: 0, refusal: 'no' },
  'response.function_call_arguments.delta': { item_id: 'fc_1', output_index: 1, delta: '{"a"' },
  'response.function_call_arguments.done': { item_id: 'fc_1', output_index: 1, name: 'f', arguments: '{"a":1}' },
  'response.reasoning_summary_part.added': { item_id: 'rs_1', output_index: 0, summary_index: 0, part: { type: 'summary_text', text: '' } },
  'response.reasoning_summary_part.done': { item_id: 'rs_1', output_index: 0, summary_index: 0, part: { type: 'summary_text', text: 't' } },
  'response.reasoning_summary_text.delta': { item_id: 'rs_1', output_index: 0, summary_index: 0, delta: 't' },
  'response.reasoning_summary_text.done': { item_id: 'rs_1', output_index: 0, summary_index: 0, text: 't' },
  'response.reasoning_text.delta': { item_id: 'rs_1', output_index: 0, content_index: 0, delta: 't' },
  'response.reasoning_text.done': { item_id: 'rs_1', output_index: 0, content_index: 0, text: 't' },
  error: { code: 'server_error', message: 'boom', param: null },
};
const badEvents: Record<ResponseEventType, [Json, RegExp]> = {
  'response.created': [{ response: goodResponse({ status: 'created', output: [], usage: undefined }) }, /^\/response\/status must be equal to one of the allowed values/],
  'response.in_progress': [{ response: goodResponse({ output: [], usage: null, parallel_tool_calls: undefined }) }, /^\/response must have required property 'parallel_tool_calls'/],
  'response.completed': [{ response: goodResponse({ user: null }) }, /^\/response\/user must be string/],
  'response.failed': [{ response: goodResponse({ status: 'failed', error: { code: 'upstream_error', message: 'boom' } }) }, /^\/response\/error\/code must be equal to one of the allowed values/],
  'response.incomplete': [{ response: goodResponse({ status: 'incomplete', incomplete_details: { reason: 'length' } }) }, /^\/response\/incomplete_details\/reason must be equal to one of the allowed values/],
  'response.output_item.added': [{ output_index: 0, item: { type: 'message', id: 'msg_1', role: 'assistant', content: [] } }, /^\/item must have required property 'status'.* \[as OutputMessage\]/],
  'response.output_item.done': [{ output_index: 0, item: { type: 'function_call', id: 'fc_1', name: 'f', arguments: '{}', status: 'completed' } }, /^\/item must have required property 'call_id'.* \[as FunctionToolCall\]/],
  'response.content_part.added': [{ ...at, content_index: 0, part: { type: 'output_text', text: '', annotations: [] } }, /^\/part must have required property 'logprobs'/],
  'response.content_part.done': [{ ...at, part: { type: 'output_text', text: 'hi', annotations: [], logprobs: [] } }, /^\/ must have required property 'content_index'/],
  'response.output_text.delta': [{ ...at, content_index: 0, delta: 'h' }, /^\/ must have required property 'logprobs'/],
  'response.output_text.done': [{ ...at, content_index: 0, text: 'hi' }, /^\/ must have required property 'logprobs'/],
  'response.refusal.delta': [{ ...at, delta: 'no' }, /^\/ must have required property 'content_index'/],
  'response.refusal.done': [{ ...at, content_index: 0, refusal: null }, /^\/refusal must be string/],
  'response.function_call_arguments.delta': [{ item_id: 'fc_1', delta: '{' }, /^\/ must have required property 'output_index'/],
  'response.function_call_arguments.done': [{ item_id: 'fc_1', output_index: 1, arguments: '{}' }, /^\/ must have required property 'name'/],
  'response.reasoning_summary_part.added': [{ item_id: 'rs_1', output_index: 0, summary_index: 0, part: { type: 'reasoning_text', text: '' } }, /^\/part\/type must be equal to one of the allowed values/],
  'response.reasoning_summary_part.done': [{ item_id: 'rs_1', output_index: 0, summary_index: 0, status: 'completed', part: { type: 'summary_text', text: 't' } }, /^\/status must be equal to one of the allowed values/],
  'response.reasoning_summary_text.delta': [{ item_id: 'rs_1', output_index: 0, delta: 't' }, /^\/ must have required property 'summary_index'/],
  'response.reasoning_summary_text.done': [{ item_id: 'rs_1', output_index: 0, summary_index: 0 }, /^\/ must have required property 'text'/],
  'response.reasoning_text.delta': [{ item_id: 'rs_1', output_index: 0, delta: 't' }, /^\/ must have required property 'content_index'/],
  'response.reasoning_text.done': [{ item_id: 'rs_1', output_index: 0, content_index: '0', text: 't' }, /^\/content_index must be integer/],
  error: [{ code: 'server_error', message: 'boom' }, /^\/ must have required property 'param'/],
};
const event = (type: ResponseEventType, fields: Json, sequence_number = 3): Json => ({ type, sequence_number, ...fields });

describe('openai-schemas: the vendored OpenAPI components', () => {
  const good: Record<TopLevel, unknown> = {
    CreateChatCompletionResponse: {
      id: 'chatcmpl-1', object: 'chat.completion', created: 1, model: 'm',
      choices: [{ index: 0, finish_reason: 'stop', logprobs: null, message: { role: 'assistant', content: 'hi', refusal: null } }],
      usage: { prompt_tokens: 1, completion_tokens: 1, total_tokens: 2 },
    },
    CreateChatCompletionStreamResponse: {
      id: 'chatcmpl-1', object: 'chat.completion.chunk', created: 1, model: 'm',
      choices: [{ index: 0, finish_reason: null, delta: { content: 'h' } }], usage: null,
    },
    CreateCompletionResponse: {
      id: 'cmpl-1', object: 'text_completion', created: 1, model: 'm',
      choices: [{ index: 0, finish_reason: 'stop', logprobs: null, text: 'hi' }],
    },
    CreateEmbeddingResponse: {
      object: 'list', model: 'e', data: [{ object: 'embedding', index: 0, embedding: [0.1, -0.2] }], usage: { prompt_tokens: 1, total_tokens: 1 },
    },
    ListModelsResponse: { object: 'list', data: [{ id: 'm', object: 'model', created: 0, owned_by: 'x', extra: true }] },
    Model: { id: 'm', object: 'model', created: 0, owned_by: 'x' },
    ErrorResponse: { error: { message: 'no', type: 'invalid_request_error', param: null, code: null } },
    Response: goodResponse(),
    ResponseItemList: {
      object: 'list', has_more: false, first_id: 'msg_1', last_id: 'fco_1',
      data: [
        { type: 'message', id: 'msg_1', role: 'user', status: 'completed', content: [{ type: 'input_text', text: 'hi' }] },
        { type: 'message', id: 'msg_2', role: 'assistant', status: 'completed', content: [{ type: 'output_text', text: 'hello', annotations: [], logprobs: [] }] },
        { type: 'function_call', id: 'fc_1', call_id: 'call_1', name: 'f', arguments: '{}', status: 'completed' },
        { type: 'function_call_output', id: 'fco_1', call_id: 'call_1', output: '{"ok":true}', status: 'completed' },
      ],
    },
    ...(Object.fromEntries(
      (Object.entries(RESPONSE_EVENT_SCHEMAS) as [ResponseEventType, TopLevel][]).map(([type, schema]) => [schema, event(type, goodEvents[type])]),
    ) as Record<(typeof RESPONSE_EVENT_SCHEMAS)[ResponseEventType], unknown>),
  };
  // Each bad object breaks one rule the spec states; the rule is named in the expected violation path.
  const bad: Record<TopLevel, [unknown, RegExp]> = {
    CreateChatCompletionResponse: [{ ...(good.CreateChatCompletionResponse as object), system_fingerprint: null }, /^\/system_fingerprint must be string/],
    CreateChatCompletionStreamResponse: [{ ...(good.CreateChatCompletionStreamResponse as object), choices: [{ index: 0, delta: {} }] }, /^\/choices\/0 must have required property 'finish_reason'/],
    CreateCompletionResponse: [{ ...(good.CreateCompletionResponse as object), object: 'completion' }, /^\/object must be equal to one of the allowed values/],
    CreateEmbeddingResponse: [{ ...(good.CreateEmbeddingResponse as object), usage: undefined }, /must have required property 'usage'/],
    ListModelsResponse: [{ object: 'list', data: [{ id: 'm', object: 'model', owned_by: 'x' }] }, /^\/data\/0 must have required property 'created'/],
    Model: [{ id: 'm', object: 'model', created: 1.5, owned_by: 'x' }, /^\/created must be integer/],
    ErrorResponse: [{ error: { message: 'no', type: 'x' } }, /^\/error must have required property 'param'/],
    Response: [goodResponse({ usage: { input_tokens: 1, input_tokens_details: { cached_tokens: 0 }, output_tokens: 1, output_tokens_details: { reasoning_tokens: 0 }, total_tokens: 2 } }), /^\/usage\/input_tokens_details must have required property 'cache_write_tokens'/],
    ResponseItemList: [
      { object: 'list', has_more: false, first_id: 'msg_1', last_id: 'msg_1', data: [{ type: 'message', id: 'msg_1', role: 'user', content: [{ type: 'output_text', text: 'hi' }] }] },
      /^\/data\/0\/content\/0.* \[as InputMessageResource\]/,
    ],
    ...(Object.fromEntries(
      (Object.entries(RESPONSE_EVENT_SCHEMAS) as [ResponseEventType, TopLevel][]).map(([type, schema]) => [schema, [event(type, badEvents[type][0]), badEvents[type][1]]]),
    ) as Record<(typeof RESPONSE_EVENT_SCHEMAS)[ResponseEventType], [unknown, RegExp]>),
  };

  it('compiles every vendored component with strict ajv', () => {
    const all = validators();
    for (const name of TOP_LEVEL) assert.ok(all.has(name), `missing ${name}`);
    assert.ok(all.size >= TOP_LEVEL.length);
  });

  for (const name of TOP_LEVEL) {
    it(`${name}: accepts a known-good object and rejects a known-bad one`, () => {
      assertConforms(name, good[name], 'known-good');
      const [value, expected] = bad[name];
      const found = explainedViolations(name, value);
      assert.ok(found.some((v) => expected.test(v)), `expected ${expected} among ${JSON.stringify(found)}`);
    });
  }
});

describe('conformance: real answers validate against OpenAI\'s published schemas', () => {
  let p: Platform;
  let admin: ReturnType<typeof adminApi>;

  const call = async (method: string, path: string, body?: unknown, key: string | null = p.key, raw?: string) => {
    const res = await fetch(`${p.baseUrl}${path}`, {
      method,
      headers: { ...(body !== undefined || raw ? { 'content-type': 'application/json' } : {}), ...(key ? { authorization: `Bearer ${key}` } : {}) },
      body: raw ?? (body !== undefined ? JSON.stringify(body) : undefined),
    });
    const text = await res.text();
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      json = { unparsable: text.slice(0, 300) };
    }
    return { status: res.status, json, headers: res.headers };
  };

  /** Every `data:` payload of an SSE answer except `[DONE]`, parsed. */
  const stream = async (path: string, body: Record<string, unknown>) => {
    const res = await fetch(`${p.baseUrl}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${p.key}` },
      body: JSON.stringify({ ...body, stream: true }),
    });
    const text = await res.text();
    const data = text
      .split('\n\n')
      .flatMap((block) => block.split('\n').filter((l) => l.startsWith('data: ')).map((l) => l.slice(6)))
      .filter((d) => d !== '[DONE]');
    return { status: res.status, text, chunks: data.map((d) => JSON.parse(d) as Record<string, unknown>) };
  };

  /** Validates every chunk of a chat stream; all failing chunks are reported together. */
  const assertChunksConform = (chunks: Record<string, unknown>[], what: string) => {
    assert.ok(chunks.length > 0, `${what}: no chunks`);
    const failures = chunks.flatMap((c, i) => violations('CreateChatCompletionStreamResponse', c).map((v) => `chunk ${i}/${chunks.length - 1}: ${v}`));
    assert.deepEqual(failures, [], `${what} violates CreateChatCompletionStreamResponse:\n  ${failures.join('\n  ')}`);
  };

  before(async () => {
    p = await startPlatform('conformance');
    admin = adminApi(p);
    const listed = await call('GET', '/v1/models');
    const ids = new Set(((listed.json as { data?: { id: string }[] }).data ?? []).map((m) => m.id));
    // Embedding models the seed does not serve yet get a channel on their provider's mock path.
    for (const [model, provider] of Object.entries(EMBEDDING_MODELS)) {
      if (ids.has(model)) continue;
      const r = await admin('POST', '/admin/v1/channels', {
        name: `conformance-${model}`,
        provider,
        base_url: `${p.mockUrl}${(MOCK_PATHS as Record<string, string>)[provider]}`,
        api_keys: ['sk-mock-conformance-0123456789'],
        models: [model],
        model_mapping: { [model]: model },
      });
      assert.equal(r.status, 201, JSON.stringify(r.body));
      const priced = await admin('PUT', `/admin/v1/models/${model}/price`, { input_usd_per_mtok: '0.02', output_usd_per_mtok: '0.00' });
      assert.equal(priced.status, 200, JSON.stringify(priced.body));
    }
  });
  after(async () => p?.stop());

  for (const model of CHAT_MODELS) {
    describe(model, () => {
      it('chat, non-streaming', async () => {
        const r = await call('POST', '/v1/chat/completions', { model, messages: user() });
        assert.equal(r.status, 200, JSON.stringify(r.json));
        assertConforms('CreateChatCompletionResponse', r.json, `${model} chat`);
      });

      it('chat, streaming: every chunk including the final usage chunk', async () => {
        const s = await stream('/v1/chat/completions', { model, messages: user(), stream_options: { include_usage: true } });
        assert.equal(s.status, 200, s.text.slice(0, 300));
        const last = s.chunks.at(-1)!;
        assert.ok(last.usage && Array.isArray(last.choices) && last.choices.length === 0, `final usage chunk: ${JSON.stringify(last)}`);
        assertChunksConform(s.chunks, `${model} stream`);
      });

      it('tool-call answer, non-streaming', async () => {
        const r = await call('POST', '/v1/chat/completions', { model, messages: user('Weather in Paris?'), tools, tool_choice: 'required' });
        assert.equal(r.status, 200, JSON.stringify(r.json));
        assertConforms('CreateChatCompletionResponse', r.json, `${model} tool call`);
        const msg = (r.json as { choices: { message: { tool_calls?: unknown[] } }[] }).choices[0].message;
        assert.ok(Array.isArray(msg.tool_calls) && msg.tool_calls.length > 0, `no tool call: ${JSON.stringify(msg)}`);
      });

      it('tool-call answer, streaming', async () => {
        const s = await stream('/v1/chat/completions', { model, messages: user('Weather in Paris?'), tools, tool_choice: 'required', stream_options: { include_usage: true } });
        assert.equal(s.status, 200, s.text.slice(0, 300));
        assertChunksConform(s.chunks, `${model} tool-call stream`);
      });

      it('legacy completions: a text_completion, or a clear 400 naming the model', async () => {
        const r = await call('POST', '/v1/completions', { model, prompt: 'Say hello.', max_tokens: 16 });
        if (r.status === 400) {
          assertConforms('ErrorResponse', r.json, `${model} completions 400`);
          assert.match((r.json as { error: { message: string } }).error.message, new RegExp(model), 'the 400 names the model');
          return;
        }
        assert.equal(r.status, 200, `POST /v1/completions on ${model}: ${r.status} ${JSON.stringify(r.json)}`);
        assertConforms('CreateCompletionResponse', r.json, `${model} completions`);
      });
    });
  }

  for (const model of Object.keys(EMBEDDING_MODELS)) {
    it(`embeddings: ${model}`, async () => {
      const r = await call('POST', '/v1/embeddings', { model, input: ['first text', 'second text'] });
      assert.equal(r.status, 200, JSON.stringify(r.json));
      assertConforms('CreateEmbeddingResponse', r.json, `${model} embeddings`);
    });
  }

  it('GET /v1/models and /v1/models/{id}', async () => {
    const list = await call('GET', '/v1/models');
    assert.equal(list.status, 200);
    assertConforms('ListModelsResponse', list.json, 'model list');
    for (const id of [...CHAT_MODELS, 'auto', ...Object.keys(EMBEDDING_MODELS)]) {
      const one = await call('GET', `/v1/models/${encodeURIComponent(id)}`);
      assert.equal(one.status, 200, `${id}: ${JSON.stringify(one.json)}`);
      assertConforms('Model', one.json, `model ${id}`);
    }
  });

  it('errors: 400, 401, 404 and 429 are ErrorResponse objects', async () => {
    const cases: [string, Awaited<ReturnType<typeof call>>, number][] = [];
    cases.push(['invalid json', await call('POST', '/v1/chat/completions', undefined, p.key, '{"model": "deepseek-v3", "messages": ['), 400]);
    cases.push(['bad param', await call('POST', '/v1/chat/completions', { model: 'deepseek-v3', messages: user(), temperature: 'hot' }), 400]);
    cases.push(['no key', await call('POST', '/v1/chat/completions', { model: 'deepseek-v3', messages: user() }, null), 401]);
    cases.push(['unknown model', await call('POST', '/v1/chat/completions', { model: 'no-such-model', messages: user() }), 404]);
    cases.push(['unknown model id', await call('GET', '/v1/models/no-such-model'), 404]);
    cases.push(['unknown embeddings model', await call('POST', '/v1/embeddings', { model: 'no-such-model', input: 'x' }), 404]);
    const acct = await admin<{ id: string }>('POST', '/admin/v1/accounts', { name: 'conformance-429', credit_usd: '5.00' });
    const limited = await admin<{ key: string }>('POST', '/admin/v1/keys', { account_id: acct.body.id, rpm_limit: 1 });
    await call('POST', '/v1/chat/completions', { model: 'deepseek-v3', messages: user() }, limited.body.key);
    cases.push(['key rpm', await call('POST', '/v1/chat/completions', { model: 'deepseek-v3', messages: user() }, limited.body.key), 429]);
    const failures = cases.flatMap(([what, r, status]) => [
      ...(r.status === status ? [] : [`${what}: status ${r.status}, expected ${status}`]),
      ...violations('ErrorResponse', r.json).map((v) => `${what} (${r.status}): ${v}`),
    ]);
    assert.deepEqual(failures, [], failures.join('\n'));
  });

  /** SSE of a Responses stream: each event's `event:` name and parsed `data:` (a `[DONE]` sentinel is kept as text). */
  const responseStream = async (body: Record<string, unknown>) => {
    const res = await fetch(`${p.baseUrl}/v1/responses`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${p.key}` },
      body: JSON.stringify({ ...body, stream: true }),
    });
    const text = await res.text();
    const events = text
      .split(/\r?\n\r?\n/)
      .filter((block) => block.trim() !== '')
      .map((block) => {
        const lines = block.split(/\r?\n/);
        const name = lines.find((l) => l.startsWith('event:'))?.slice(6).trim();
        const data = lines.filter((l) => l.startsWith('data:')).map((l) => l.slice(5).trimStart()).join('\n');
        let json: unknown = data;
        try {
          json = JSON.parse(data);
        } catch {
          /* kept as text: reported below */
        }
        return { name, data: json };
      });
    return { status: res.status, text, events };
  };

  /**
   * Every event validated against the schema its `type` names, `event:` equal to `type`, sequence numbers strictly
   * increasing; all failures reported together.
   */
  const assertEventsConform = (events: { name?: string; data: unknown }[], what: string, expect: (types: unknown[]) => string[] = () => []) => {
    assert.ok(events.length > 0, `${what}: no events`);
    const failures: string[] = expect(events.map((e) => (isObj(e.data) ? e.data.type : e.data)));
    let last = -Infinity;
    events.forEach((e, i) => {
      const at = `event ${i}/${events.length - 1}`;
      if (!isObj(e.data)) {
        failures.push(`${at}: data is not a JSON object: ${JSON.stringify(e.data).slice(0, 120)}`);
        return;
      }
      const type = String(e.data.type);
      if (e.name !== undefined && e.name !== type) failures.push(`${at} (${type}): SSE event name ${JSON.stringify(e.name)} differs from type`);
      const seq = e.data.sequence_number;
      if (typeof seq === 'number') {
        if (!(seq > last)) failures.push(`${at} (${type}): sequence_number ${seq} not greater than the previous ${last}`);
        last = seq;
      }
      const schema = (RESPONSE_EVENT_SCHEMAS as Record<string, TopLevel>)[type];
      if (!schema) {
        failures.push(`${at}: type ${JSON.stringify(type)} is no ResponseStreamEvent member vendored here`);
        return;
      }
      const found = explainedViolations(schema, e.data);
      failures.push(...found.map((v) => `${at} (${type}) vs ${schema}: ${v}`));
      if (found.length) failures.push(`${at} (${type}) was: ${JSON.stringify(e.data).slice(0, 400)}`);
    });
    assert.deepEqual(failures, [], `${what}:\n  ${failures.join('\n  ')}`);
  };

  const respTool = { type: 'function', name: 'get_weather', description: 'Weather of a city', parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] } };
  const jsonFormat = { type: 'json_schema', name: 'greeting', strict: true, schema: { type: 'object', properties: { greeting: { type: 'string' } }, required: ['greeting'], additionalProperties: false } };
  type ResponseJson = { id: string; output: { type: string; call_id?: string }[] };

  for (const model of RESPONSES_MODELS) {
    describe(`/v1/responses: ${model}`, () => {
      it('non-streaming, plain: a Response', async () => {
        const r = await call('POST', '/v1/responses', { model, input: 'Say hello.' });
        assert.equal(r.status, 200, `POST /v1/responses on ${model}: ${r.status} ${JSON.stringify(r.json)}`);
        if (model === 'deepseek-r1') {
          const types = (r.json as ResponseJson).output.map((o) => o.type);
          assert.ok(types.includes('reasoning'), `deepseek-r1 output has a reasoning item: ${JSON.stringify(types)}`);
        }
        assertConforms('Response', r.json, `${model} response`);
      });

      it('non-streaming, function tool with tool_choice required: a Response with a function_call', async () => {
        const r = await call('POST', '/v1/responses', { model, input: 'Weather in Paris?', tools: [respTool], tool_choice: 'required' });
        assert.equal(r.status, 200, `${r.status} ${JSON.stringify(r.json)}`);
        const types = (r.json as ResponseJson).output.map((o) => o.type);
        assert.ok(types.includes('function_call'), `no function_call item: ${JSON.stringify(types)}`);
        assertConforms('Response', r.json, `${model} tool-call response`);
      });

      it('non-streaming, text.format json_schema: a Response', async () => {
        const r = await call('POST', '/v1/responses', { model, input: 'Greet me as JSON.', text: { format: jsonFormat } });
        assert.equal(r.status, 200, `${r.status} ${JSON.stringify(r.json)}`);
        assertConforms('Response', r.json, `${model} json_schema response`);
      });

      it('streaming, plain: every event against its schema, sequence numbers increasing', async () => {
        const s = await responseStream({ model, input: 'Say hello.' });
        assert.equal(s.status, 200, s.text.slice(0, 300));
        assertEventsConform(s.events, `${model} stream`, (types) => [
          ...(types[0] === 'response.created' ? [] : [`first event is ${JSON.stringify(types[0])}, not response.created`]),
          ...(types.at(-1) === 'response.completed' ? [] : [`last event is ${JSON.stringify(types.at(-1))}, not response.completed`]),
          ...(model !== 'deepseek-r1' || types.some((t) => String(t).startsWith('response.reasoning')) ? [] : [`no reasoning events: ${JSON.stringify(types)}`]),
        ]);
      });

      it('streaming, function tool: every event against its schema, sequence numbers increasing', async () => {
        const s = await responseStream({ model, input: 'Weather in Paris?', tools: [respTool], tool_choice: 'required' });
        assert.equal(s.status, 200, s.text.slice(0, 300));
        assertEventsConform(s.events, `${model} tool-call stream`, (types) =>
          types.includes('response.function_call_arguments.done') ? [] : [`no function-call events: ${JSON.stringify(types)}`],
        );
      });

      it('stored: GET /v1/responses/{id}, GET …/input_items, DELETE, then 404s', async () => {
        const first = await call('POST', '/v1/responses', { model, input: 'Weather in Paris?', tools: [respTool], tool_choice: 'required' });
        assert.equal(first.status, 200, `${first.status} ${JSON.stringify(first.json)}`);
        const fc = (first.json as ResponseJson).output.find((o) => o.type === 'function_call');
        assert.ok(fc?.call_id, `no function_call to answer: ${JSON.stringify(first.json).slice(0, 300)}`);
        // The second turn's input items hold a function_call_output: the list then covers both item kinds a client sends.
        const second = await call('POST', '/v1/responses', {
          model,
          previous_response_id: (first.json as ResponseJson).id,
          input: [{ type: 'function_call_output', call_id: fc.call_id, output: '{"temperature_c":21}' }, { role: 'user', content: 'And tomorrow?' }],
          tools: [respTool],
        });
        assert.equal(second.status, 200, `${second.status} ${JSON.stringify(second.json)}`);
        const failures: string[] = [];
        const check = (schema: TopLevel, r: Awaited<ReturnType<typeof call>>, what: string, status = 200) => {
          if (r.status !== status) failures.push(`${what}: status ${r.status}, expected ${status}: ${JSON.stringify(r.json).slice(0, 300)}`);
          failures.push(...explainedViolations(schema, r.json).map((v) => `${what} vs ${schema}: ${v}`));
        };
        for (const [n, created] of [first, second].entries()) {
          const id = (created.json as ResponseJson).id;
          check('Response', await call('GET', `/v1/responses/${id}`), `GET response ${n + 1}`);
          check('ResponseItemList', await call('GET', `/v1/responses/${id}/input_items`), `GET input_items ${n + 1}`);
          check('ResponseItemList', await call('GET', `/v1/responses/${id}/input_items?order=asc&limit=1`), `GET input_items ${n + 1} (asc, limit 1)`);
        }
        const id = (second.json as ResponseJson).id;
        const deleted = await call('DELETE', `/v1/responses/${id}`);
        // The spec gives DELETE's 200 no schema ("OK"); its documented example is this object.
        if (deleted.status !== 200) failures.push(`DELETE: status ${deleted.status}: ${JSON.stringify(deleted.json)}`);
        else if (JSON.stringify(deleted.json) !== JSON.stringify({ id, object: 'response', deleted: true })) failures.push(`DELETE reply differs from the spec's example {id, object: "response", deleted: true}: ${JSON.stringify(deleted.json)}`);
        check('ErrorResponse', await call('GET', `/v1/responses/${id}`), 'GET after DELETE', 404);
        check('ErrorResponse', await call('GET', `/v1/responses/${id}/input_items`), 'GET input_items after DELETE', 404);
        check('ErrorResponse', await call('DELETE', `/v1/responses/${id}`), 'DELETE after DELETE', 404);
        assert.deepEqual(failures, [], `${model} stored responses:\n  ${failures.join('\n  ')}`);
      });
    });
  }

  it('/v1/responses: incomplete (max_output_tokens) and failed (upstream breaks mid-stream) ends', async () => {
    // Two scripted models on OpenAI's mock path: a long answer (so max_output_tokens cuts it) and a stream that breaks
    // after its first chunks (so the 200 already sent ends with response.failed and an error event).
    const scripted: Record<string, string> = { 'conformance-long': 'gpt-4o+tokens=200', 'conformance-broken': 'gpt-4o+fail=stream-error+fail-after=2' };
    for (const [model, upstream] of Object.entries(scripted)) {
      const r = await admin('POST', '/admin/v1/channels', {
        name: `conformance-${model}`,
        provider: 'openai',
        base_url: `${p.mockUrl}${(MOCK_PATHS as Record<string, string>).openai}`,
        api_keys: ['sk-mock-conformance-0123456789'],
        models: [model],
        model_mapping: { [model]: upstream },
      });
      assert.equal(r.status, 201, JSON.stringify(r.body));
      const priced = await admin('PUT', `/admin/v1/models/${model}/price`, { input_usd_per_mtok: '1.00', output_usd_per_mtok: '1.00' });
      assert.equal(priced.status, 200, JSON.stringify(priced.body));
    }
    const failures: string[] = [];
    const cut = await call('POST', '/v1/responses', { model: 'conformance-long', input: 'Tell a long story.', max_output_tokens: 16 });
    if (cut.status !== 200) failures.push(`non-streaming cut: status ${cut.status}: ${JSON.stringify(cut.json).slice(0, 300)}`);
    else {
      if ((cut.json as Json).status !== 'incomplete') failures.push(`non-streaming cut: status ${JSON.stringify((cut.json as Json).status)}, expected "incomplete"`);
      failures.push(...explainedViolations('Response', cut.json).map((v) => `non-streaming cut vs Response: ${v}`));
    }
    for (const [what, body, end] of [
      ['stream cut by max_output_tokens', { model: 'conformance-long', input: 'Tell a long story.', max_output_tokens: 16 }, 'response.incomplete'],
      ['stream broken upstream', { model: 'conformance-broken', input: 'Say hello.' }, 'error'],
    ] as const) {
      const s = await responseStream(body);
      if (s.status !== 200) {
        failures.push(`${what}: status ${s.status}: ${s.text.slice(0, 300)}`);
        continue;
      }
      try {
        assertEventsConform(s.events, what, (types) => [
          ...(types.at(-1) === end ? [] : [`last event is ${JSON.stringify(types.at(-1))}, expected ${end}: ${JSON.stringify(types)}`]),
          ...(end === 'error' && !types.includes('response.failed') ? [`no response.failed before the error event: ${JSON.stringify(types)}`] : []),
        ]);
      } catch (e) {
        failures.push((e as Error).message.split('\n\n')[0]);
      }
    }
    assert.deepEqual(failures, [], failures.join('\n'));
  });

  it('/v1/responses: unknown response ids and bad requests are ErrorResponse objects', async () => {
    const unknown = `resp_${'0'.repeat(48)}`;
    const cases: [string, Awaited<ReturnType<typeof call>>, number][] = [
      ['GET unknown id', await call('GET', `/v1/responses/${unknown}`), 404],
      ['GET input_items of unknown id', await call('GET', `/v1/responses/${unknown}/input_items`), 404],
      ['DELETE unknown id', await call('DELETE', `/v1/responses/${unknown}`), 404],
      ['POST unknown model', await call('POST', '/v1/responses', { model: 'no-such-model', input: 'x' }), 404],
      ['POST no input', await call('POST', '/v1/responses', { model: 'deepseek-v3' }), 400],
      ['POST no key', await call('POST', '/v1/responses', { model: 'deepseek-v3', input: 'x' }, null), 401],
      ['POST unknown previous_response_id', await call('POST', '/v1/responses', { model: 'deepseek-v3', input: 'x', previous_response_id: unknown }), 404],
    ];
    const failures = cases.flatMap(([what, r, status]) => [
      ...(r.status === status ? [] : [`${what}: status ${r.status}, expected ${status}: ${JSON.stringify(r.json).slice(0, 200)}`]),
      ...violations('ErrorResponse', r.json).map((v) => `${what} (${r.status}): ${v}`),
    ]);
    assert.deepEqual(failures, [], failures.join('\n'));
  });
});
