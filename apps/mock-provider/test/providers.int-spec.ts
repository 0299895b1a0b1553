import { strict as assert } from 'node:assert';
import { after, before, beforeEach, describe, it } from 'node:test';
import { createMockProviderApp, type MockProviderApp } from '../src/mock-provider.app';
import { endsWithDone, type Json, payloads, post, postJson, readSse } from './http-client';

const KEY = 'sk-test-key-1234';
const AUTH = { authorization: `Bearer ${KEY}` };
const messages = [{ role: 'user', content: 'Say hello' }];
// 3 per request + 4 per message + ceil(9 characters / 4)
const PROMPT_TOKENS = 10;

const TOOLS = [
  { type: 'function', function: { name: 'get_weather', parameters: { type: 'object', properties: { city: { type: 'string' }, days: { type: 'integer' } } } } },
  { type: 'function', function: { name: 'get_time', parameters: { type: 'object', properties: { tz: { type: 'string', enum: ['UTC', 'CET'] } } } } },
];

/** Chat paths of the OpenAI-compatible providers, and how each one's error body names its code. */
const CHAT: Record<string, { path: string; code: (body: Json) => string }> = {
  openai: { path: '/openai/v1/chat/completions', code: (b) => b.error.code ?? b.error.type },
  deepseek: { path: '/deepseek/chat/completions', code: (b) => b.error.type },
  moonshot: { path: '/moonshot/v1/chat/completions', code: (b) => b.error.type },
  qwen: { path: '/qwen/compatible-mode/v1/chat/completions', code: (b) => b.error.code },
  zhipu: { path: '/zhipu/api/paas/v4/chat/completions', code: (b) => b.error.code },
};

/** Status and code of each `fail=` directive, per provider, as its documentation puts them. */
const SCRIPTED: Record<string, Record<string, [number, string]>> = {
  openai: {
    '401': [401, 'invalid_api_key'],
    quota: [429, 'insufficient_quota'],
    context: [400, 'context_length_exceeded'],
    overloaded: [503, 'server_error'],
    '429': [429, 'rate_limit_exceeded'],
    '500': [500, 'server_error'],
  },
  deepseek: {
    '401': [401, 'authentication_error'],
    quota: [402, 'unknown_error'],
    context: [400, 'invalid_request_error'],
    overloaded: [503, 'service_unavailable_error'],
    '429': [429, 'rate_limit_error'],
    '500': [500, 'api_error'],
  },
  moonshot: {
    '401': [401, 'incorrect_api_key_error'],
    quota: [429, 'exceeded_current_quota_error'],
    context: [400, 'invalid_request_error'],
    overloaded: [429, 'engine_overloaded_error'],
    '429': [429, 'rate_limit_reached_error'],
    '500': [500, 'server_error'],
  },
  qwen: {
    '401': [401, 'invalid_api_key'],
    quota: [400, 'Arrearage'],
    context: [400, 'invalid_parameter_error'],
    overloaded: [503, 'ServiceUnavailable'],
    '429': [429, 'limit_requests'],
    '500': [500, 'internal_error'],
    'content-filter': [400, 'data_inspection_failed'],
  },
  zhipu: {
    '401': [401, '1000'],
    quota: [429, '1113'],
    context: [400, '1261'],
    overloaded: [429, '1305'],
    '429': [429, '1302'],
    '500': [500, '500'],
    'content-filter': [400, '1301'],
  },
};

describe('provider emulation over HTTP', () => {
  let mock: MockProviderApp;
  const url = (path: string) => `${mock.url}${path}`;

  before(async () => {
    mock = await createMockProviderApp({ port: 0 });
  });
  after(async () => mock?.close());

  describe('scripted failures in each provider format', () => {
    for (const [provider, { path, code }] of Object.entries(CHAT)) {
      it(`${provider}: every fail= directive has the provider's status and code`, async () => {
        for (const [failure, expected] of Object.entries(SCRIPTED[provider])) {
          const res = await postJson(url(path), { model: `m+fail=${failure}`, messages }, AUTH);
          assert.deepEqual([res.status, code(res.body)], expected, `${provider} fail=${failure}`);
          assert.match(res.headers.get('content-type') ?? '', /application\/json/);
        }
      });

      it(`${provider}: a stream-error arrives after fail-after chunks as the provider's in-stream error, without [DONE]`, async () => {
        const r = await readSse(url(path), { model: 'm+fail=stream-error+fail-after=2', messages, stream: true }, AUTH);
        assert.equal(r.status, 200);
        assert.ok(!endsWithDone(r) && !r.cut);
        const all = payloads(r);
        const last = all.at(-1)!;
        assert.ok(last.error, JSON.stringify(last));
        const content = all.slice(0, -1).filter((c) => c.choices?.[0]?.delta?.content);
        assert.equal(content.length, 2);
        assert.equal(code(last), code((await postJson(url(path), { model: 'm+fail=500', messages }, AUTH)).body));
      });

      it(`${provider}: no credential is a 401 in the provider's format`, async () => {
        const res = await postJson(url(path), { model: 'm', messages });
        assert.equal(res.status, 401);
        assert.ok(res.body.error.message.length > 0);
      });
    }

    it('embeddings are only where the provider offers them: DeepSeek and Moonshot answer 404 in their format', async () => {
      const deepseek = await postJson(url('/deepseek/v1/embeddings'), { model: 'x', input: 'hi' }, AUTH);
      assert.deepEqual([deepseek.status, deepseek.body.error.type], [404, 'invalid_request_error']);
      const moonshot = await postJson(url('/moonshot/v1/embeddings'), { model: 'x', input: 'hi' }, AUTH);
      assert.deepEqual([moonshot.status, moonshot.body.error.type], [404, 'resource_not_found_error']);
    });

    it('a body that is not JSON gets each provider its own 400', async () => {
      const deepseek = await postJson(url('/deepseek/chat/completions'), '{"model":', AUTH);
      assert.deepEqual([deepseek.status, deepseek.body.error.code], [400, 'invalid_request_error']);
      const zhipu = await postJson(url('/zhipu/api/paas/v4/chat/completions'), '{"model":', AUTH);
      assert.deepEqual([zhipu.status, zhipu.body.error.code], [400, '1210']);
      const qwen = await postJson(url('/qwen/compatible-mode/v1/chat/completions'), '{"model":', AUTH);
      assert.deepEqual([qwen.status, qwen.body.error.code, typeof qwen.body.request_id], [400, 'invalid_parameter_error', 'string']);
    });
  });

  describe('OpenAI', () => {
    it('serves chat under /openai/v1 like the bare /v1 path, honouring max_completion_tokens', async () => {
      const prefixed = await postJson(url('/openai/v1/chat/completions'), { model: 'gpt-4o', messages, max_completion_tokens: 5 }, AUTH);
      const bare = await postJson(url('/v1/chat/completions'), { model: 'gpt-4o', messages, max_completion_tokens: 5 }, AUTH);
      assert.equal(prefixed.body.choices[0].message.content, bare.body.choices[0].message.content);
      assert.deepEqual(
        [prefixed.body.choices[0].finish_reason, prefixed.body.usage.completion_tokens, prefixed.body.usage.prompt_tokens],
        ['length', 5, PROMPT_TOKENS],
      );
    });

    it('lists models under /openai/v1 as on the bare path', async () => {
      const res = await fetch(url('/openai/v1/models'), { headers: AUTH });
      const body = (await res.json()) as Json;
      assert.equal(body.object, 'list');
      assert.ok(body.data.some((m: Json) => m.id === 'gpt-4o'));
      assert.equal((await fetch(url('/openai/v1/models'))).status, 401);
    });

    it('embeds deterministically, in float or base64, with usage', async () => {
      const res = await postJson(url('/openai/v1/embeddings'), { model: 'text-embedding-3-small', input: ['hello world', 'hi', 'hello world'] }, AUTH);
      assert.equal(res.status, 200);
      assert.equal(res.body.object, 'list');
      assert.equal(res.body.model, 'text-embedding-3-small');
      assert.deepEqual(res.body.usage, { prompt_tokens: 3 + 1 + 3, total_tokens: 7 });
      const [a, b, c] = res.body.data;
      assert.deepEqual([a.object, a.index, a.embedding.length], ['embedding', 0, 1536]);
      assert.deepEqual(a.embedding, c.embedding);
      assert.notDeepEqual(a.embedding, b.embedding);

      const large = await postJson(url('/openai/v1/embeddings'), { model: 'text-embedding-3-large', input: 'x', dimensions: 256 }, AUTH);
      assert.equal(large.body.data[0].embedding.length, 256);
      const encoded = await postJson(url('/openai/v1/embeddings'), { model: 'text-embedding-3-small', input: 'hello world', encoding_format: 'base64' }, AUTH);
      const bytes = Buffer.from(encoded.body.data[0].embedding as string, 'base64');
      assert.deepEqual(
        Array.from({ length: bytes.length / 4 }, (_, i) => bytes.readFloatLE(i * 4)),
        a.embedding,
      );
    });

    it('refuses embeddings OpenAI would refuse, and scripts failures there too', async () => {
      const empty = await postJson(url('/openai/v1/embeddings'), { model: 'text-embedding-3-small', input: '' }, AUTH);
      assert.equal(empty.status, 400);
      const dims = await postJson(url('/openai/v1/embeddings'), { model: 'text-embedding-ada-002', input: 'x', dimensions: 8 }, AUTH);
      assert.deepEqual([dims.status, dims.body.error.param], [400, 'dimensions']);
      const quota = await postJson(url('/openai/v1/embeddings'), { model: 'text-embedding-3-small+fail=quota', input: 'x' }, AUTH);
      assert.deepEqual([quota.status, quota.body.error.code], [429, 'insufficient_quota']);
      assert.equal((await postJson(url('/openai/v1/embeddings'), { model: 'x', input: 'x' })).status, 401);
    });

    it('continues legacy prompts: 16 tokens at most by default, n choices per prompt, summed usage', async () => {
      const res = await postJson(url('/openai/v1/completions'), { model: 'gpt-3.5-turbo-instruct+tokens=40', prompt: ['Say', 'Hello there'], n: 2 }, AUTH);
      assert.equal(res.status, 200);
      assert.match(res.body.id, /^cmpl-/);
      assert.equal(res.body.object, 'text_completion');
      assert.deepEqual(
        res.body.choices.map((c: Json) => [c.index, c.finish_reason, c.text.split(' ').length]),
        [
          [0, 'length', 16],
          [1, 'length', 16],
          [2, 'length', 16],
          [3, 'length', 16],
        ],
      );
      assert.equal(res.body.choices[0].text, res.body.choices[1].text);
      assert.notEqual(res.body.choices[0].text, res.body.choices[2].text);
      assert.deepEqual(res.body.usage, { prompt_tokens: 1 + 3, completion_tokens: 64, total_tokens: 68 });
    });

    it('streams legacy text_completion chunks that spell the plain text, then usage and [DONE]', async () => {
      const body = { model: 'gpt-3.5-turbo-instruct', prompt: 'Say', max_tokens: 5 };
      const plain = await postJson(url('/openai/v1/completions'), body, AUTH);
      const r = await readSse(url('/openai/v1/completions'), { ...body, stream: true, stream_options: { include_usage: true } }, AUTH);
      assert.ok(endsWithDone(r));
      const all = payloads(r);
      assert.ok(all.every((c) => c.object === 'text_completion'));
      assert.equal(all.map((c) => c.choices[0]?.text ?? '').join(''), plain.body.choices[0].text);
      assert.equal(all.at(-2)!.choices[0].finish_reason, 'length');
      assert.deepEqual(all.at(-1)!.choices, []);
      assert.deepEqual(all.at(-1)!.usage, plain.body.usage);
    });

    it('stops legacy text at a stop sequence', async () => {
      const body = { model: 'gpt-3.5-turbo-instruct', prompt: 'Say', max_tokens: 6 };
      const words = ((await postJson(url('/openai/v1/completions'), body, AUTH)).body.choices[0].text as string).split(' ');
      const stop = `${words[1]} ${words[2]}`;
      const cut = await postJson(url('/openai/v1/completions'), { ...body, stop }, AUTH);
      assert.equal(cut.body.choices[0].text, `${words[0]} `);
      assert.equal(cut.body.choices[0].finish_reason, 'stop');
    });
  });

  describe('DeepSeek', () => {
    it('streams reasoning_content first and the usage (with cache hits and misses) on the finish chunk', async () => {
      const r = await readSse(url('/deepseek/chat/completions'), { model: 'deepseek-reasoner+cached=4', messages, stream: true }, AUTH);
      assert.ok(endsWithDone(r));
      const all = payloads(r);
      const reasoning = all.filter((c) => typeof c.choices[0].delta.reasoning_content === 'string');
      assert.equal(reasoning.length, 8);
      const firstContent = all.findIndex((c) => c.choices[0].delta.content);
      assert.ok(firstContent > all.indexOf(reasoning.at(-1)!));
      assert.ok(all.every((c) => c.choices.length === 1), 'no usage-only chunk');
      const last = all.at(-1)!;
      assert.equal(last.choices[0].finish_reason, 'stop');
      assert.deepEqual(last.usage, {
        prompt_tokens: PROMPT_TOKENS,
        completion_tokens: 24,
        total_tokens: PROMPT_TOKENS + 24,
        prompt_tokens_details: { cached_tokens: 4 },
        prompt_cache_hit_tokens: 4,
        prompt_cache_miss_tokens: PROMPT_TOKENS - 4,
        completion_tokens_details: { reasoning_tokens: 8 },
      });
      assert.ok(all.slice(0, -1).every((c) => !('usage' in c)));
    });

    it('sends ": keep-alive" comments while the first token is pending, then the stream', async () => {
      const r = await readSse(url('/deepseek/v1/chat/completions'), { model: 'deepseek-chat+ttft=1200+tokens=2', messages, stream: true }, AUTH);
      assert.equal(r.status, 200);
      const comments = r.blocks.filter((b) => b.comment !== undefined);
      assert.deepEqual(
        comments.map((b) => b.comment),
        ['keep-alive', 'keep-alive'],
      );
      assert.ok(comments[0].at < 500, `first keep-alive after ${comments[0].at} ms`);
      const firstData = r.blocks.findIndex((b) => b.data !== undefined);
      assert.equal(firstData, 2, 'comments come before any data');
      assert.ok(r.blocks[firstData].at >= 1150);
      assert.ok(endsWithDone(r));
    });

    it('sends blank lines before a delayed plain body, which still parses as JSON', async () => {
      const res = await post(url('/deepseek/chat/completions'), { model: 'deepseek-chat+ttft=1100+tokens=2', messages }, AUTH);
      assert.equal(res.status, 200);
      const text = await res.text();
      assert.match(text, /^\n\n\{/);
      const body = JSON.parse(text) as Json;
      assert.equal(body.usage.prompt_cache_miss_tokens, PROMPT_TOKENS);
    });

    it('keeps quiet before a scripted error, so its status can still be sent', async () => {
      const r = await readSse(url('/deepseek/chat/completions'), { model: 'deepseek-chat+ttft=300+fail=quota', messages, stream: true }, AUTH);
      assert.equal(r.status, 402);
    });

    it('rejects invalid parameters with 422 naming the field', async () => {
      const res = await postJson(url('/deepseek/chat/completions'), { model: 'deepseek-chat' }, AUTH);
      assert.equal(res.status, 422);
      assert.match(res.body.error.message, /^Failed to deserialize the JSON body into the target type: missing field `messages`/);
    });
  });

  describe('Moonshot', () => {
    it('streams the usage inside the last choice, even when include_usage asks for a usage chunk', async () => {
      const r = await readSse(url('/moonshot/v1/chat/completions'), { model: 'kimi-k2+tokens=3', messages, stream: true, stream_options: { include_usage: true } }, AUTH);
      assert.ok(endsWithDone(r));
      const all = payloads(r);
      assert.ok(all.every((c) => c.choices.length === 1 && !('usage' in c) && !('system_fingerprint' in c)));
      assert.deepEqual(all.at(-1)!.choices[0].usage, { prompt_tokens: PROMPT_TOKENS, completion_tokens: 3, total_tokens: PROMPT_TOKENS + 3, cached_tokens: 0 });
      const plain = await postJson(url('/moonshot/v1/chat/completions'), { model: 'kimi-k2+tokens=3', messages }, AUTH);
      assert.deepEqual(plain.body.usage, all.at(-1)!.choices[0].usage);
    });

    it('words a missing key as invalid_authentication_error', async () => {
      const res = await postJson(url('/moonshot/v1/chat/completions'), { model: 'k', messages });
      assert.deepEqual(res.body, { error: { message: 'Invalid Authentication', type: 'invalid_authentication_error' } });
    });
  });

  describe('Qwen (DashScope compatible mode)', () => {
    const path = '/qwen/compatible-mode/v1/chat/completions';

    it('sends the usage in a last chunk with empty choices only with include_usage', async () => {
      const asked = payloads(await readSse(url(path), { model: 'qwen-plus+tokens=3', messages, stream: true, stream_options: { include_usage: true } }, AUTH));
      assert.deepEqual(asked.at(-1)!.choices, []);
      assert.equal(asked.at(-1)!.usage.total_tokens, PROMPT_TOKENS + 3);
      assert.ok(asked.every((c) => c.system_fingerprint === null));
      const plain = payloads(await readSse(url(path), { model: 'qwen-plus+tokens=3', messages, stream: true }, AUTH));
      assert.ok(plain.every((c) => c.choices.length === 1 && !('usage' in c)));
    });

    it('streams reasoning with enable_thinking and refuses it without a stream', async () => {
      const thinking = payloads(await readSse(url(path), { model: 'qwen-plus', messages, stream: true, enable_thinking: true }, AUTH));
      assert.equal(thinking.filter((c) => c.choices[0]?.delta?.reasoning_content).length, 8);
      const refused = await postJson(url(path), { model: 'qwen-plus', messages, enable_thinking: true }, AUTH);
      assert.equal(refused.status, 400);
      assert.equal(refused.body.error.code, 'invalid_parameter_error');
      assert.match(refused.body.error.message, /^<400> InternalError\.Algo\.InvalidParameter: /);
    });

    it('words the input-length error the DashScope way', async () => {
      const res = await postJson(url(path), { model: 'qwen-plus+fail=context', messages }, AUTH);
      assert.equal(res.body.error.message, '<400> InternalError.Algo.InvalidParameter: Range of input length should be [1, 129024]');
      assert.equal(typeof res.body.request_id, 'string');
    });

    it('embeds up to 10 texts with 1024 dimensions by default or a listed size', async () => {
      const ok = await postJson(url('/qwen/compatible-mode/v1/embeddings'), { model: 'text-embedding-v3', input: ['a', 'bb'] }, AUTH);
      assert.deepEqual(
        [ok.status, ok.body.object, ok.body.data.length, ok.body.data[0].embedding.length, ok.body.usage],
        [200, 'list', 2, 1024, { prompt_tokens: 2, total_tokens: 2 }],
      );
      const small = await postJson(url('/qwen/compatible-mode/v1/embeddings'), { model: 'text-embedding-v4', input: 'a', dimensions: 64 }, AUTH);
      assert.equal(small.body.data[0].embedding.length, 64);
      const batch = await postJson(url('/qwen/compatible-mode/v1/embeddings'), { model: 'text-embedding-v3', input: Array(11).fill('a') }, AUTH);
      assert.deepEqual([batch.status, batch.body.error.code], [400, 'invalid_parameter_error']);
      const dims = await postJson(url('/qwen/compatible-mode/v1/embeddings'), { model: 'text-embedding-v3', input: 'a', dimensions: 100 }, AUTH);
      assert.equal(dims.status, 400);
    });
  });

  describe('Zhipu', () => {
    const path = '/zhipu/api/paas/v4/chat/completions';
    const JWT = 'eyJhbGciOiJIUzI1NiIsInNpZ25fdHlwZSI6IlNJR04ifQ.eyJhcGlfa2V5IjoiaWQiLCJleHAiOjE3MDAwMDAwMDAwMDB9.c2lnbmF0dXJl';

    it('accepts a plain key or a JWT, and refuses a missing one with code 1001', async () => {
      assert.equal((await postJson(url(path), { model: 'glm-4-plus', messages }, { authorization: 'Bearer 0123abcd.s3cr3t' })).status, 200);
      assert.equal((await postJson(url(path), { model: 'glm-4-plus', messages }, { authorization: `Bearer ${JWT}` })).status, 200);
      const missing = await postJson(url(path), { model: 'glm-4-plus', messages });
      assert.deepEqual([missing.status, missing.body], [401, { error: { code: '1001', message: 'Authentication parameter not received in Header, unable to authenticate' } }]);
    });

    it('streams tool calls whole in one chunk and the usage in the final chunk', async () => {
      const r = await readSse(url(path), { model: 'glm-4-plus', messages, stream: true, tools: TOOLS }, AUTH);
      assert.ok(endsWithDone(r));
      const all = payloads(r);
      assert.equal(all.length, 2);
      assert.deepEqual(
        all[0].choices[0].delta.tool_calls.map((tc: Json) => [tc.index, tc.function.name, JSON.parse(tc.function.arguments)]),
        [
          [0, 'get_weather', { city: 'mock', days: 42 }],
          [1, 'get_time', { tz: 'UTC' }],
        ],
      );
      assert.equal(all[1].choices[0].finish_reason, 'tool_calls');
      assert.equal(all[1].usage.prompt_tokens, PROMPT_TOKENS);
      assert.ok(all.every((c) => !('object' in c) && c.choices[0].delta.role === 'assistant'));
    });

    it('embeds with embedding-3 (2048 dimensions, or 256/512/1024) and reports zero completion tokens', async () => {
      const res = await postJson(url('/zhipu/api/paas/v4/embeddings'), { model: 'embedding-3', input: 'hello' }, AUTH);
      assert.deepEqual(
        [res.body.data[0].embedding.length, res.body.usage],
        [2048, { prompt_tokens: 2, completion_tokens: 0, total_tokens: 2 }],
      );
      const small = await postJson(url('/zhipu/api/paas/v4/embeddings'), { model: 'embedding-3', input: 'hello', dimensions: 256 }, AUTH);
      assert.equal(small.body.data[0].embedding.length, 256);
      const bad = await postJson(url('/zhipu/api/paas/v4/embeddings'), { model: 'embedding-3', input: 'hello', dimensions: 300 }, AUTH);
      assert.deepEqual([bad.status, bad.body.error.code], [400, '1214']);
    });
  });

  describe('request log', () => {
    beforeEach(async () => {
      await fetch(`${mock.url}/mock/requests`, { method: 'DELETE' });
    });

    it('records provider requests, with path, body and masked credentials', async () => {
      await (await post(url('/zhipu/api/paas/v4/embeddings'), { model: 'embedding-3', input: 'x' }, AUTH)).text();
      await (await post(url('/deepseek/chat/completions'), { model: 'deepseek-chat', messages }, { authorization: 'Bearer sk-invalid' })).text();
      const log = (await (await fetch(`${mock.url}/mock/requests`)).json()) as Json;
      assert.deepEqual(
        log.data.map((e: Json) => [e.path, e.model, e.headers.authorization]),
        [
          ['/zhipu/api/paas/v4/embeddings', 'embedding-3', 'Bearer ***1234'],
          ['/deepseek/chat/completions', 'deepseek-chat', 'Bearer ***alid'],
        ],
      );
      assert.deepEqual(log.data[0].body, { model: 'embedding-3', input: 'x' });
      assert.ok(!JSON.stringify(log).includes(KEY));
    });
  });
});
