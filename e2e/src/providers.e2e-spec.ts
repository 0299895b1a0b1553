import { strict as assert } from 'node:assert';
import { after, before, describe, it } from 'node:test';
import OpenAI from 'openai';
import { assertOpenAiError, post } from './support/http';
import { MOCK_PATHS } from '@tokenflow/tools';
import { adminApi, type Platform, startPlatform } from './support/platform';

/** The seed's launch models and the provider each one is served by (through the mock, in that provider's format). */
const PROVIDER_OF: Record<string, string> = {
  'deepseek-v3': 'deepseek',
  'deepseek-r1': 'deepseek',
  'kimi-k2': 'moonshot',
  'glm-4-plus': 'zhipu',
  'qwen-max': 'qwen',
  'gpt-4o': 'openai',
  'claude-sonnet': 'anthropic',
};
/** Where the mock speaks each provider's format (`/<id>` + the path of its default base URL). */
const MOCK_PATH: Record<string, string> = MOCK_PATHS;
const UPSTREAM_OF: Record<string, string> = {
  deepseek: 'deepseek-chat',
  moonshot: 'kimi-k2-0905-preview',
  zhipu: 'glm-4-plus',
  qwen: 'qwen-max',
  openai: 'gpt-4o',
  anthropic: 'claude-sonnet-4-5',
};

const tools = [
  { type: 'function' as const, function: { name: 'get_weather', parameters: { type: 'object', properties: { city: { type: 'string' }, days: { type: 'integer' } } } } },
  { type: 'function' as const, function: { name: 'get_time', parameters: { type: 'object', properties: { tz: { type: 'string' } } } } },
];

describe('six providers through their real wire formats: callers cannot tell them apart', () => {
  let p: Platform;
  let client: OpenAI;
  let admin: ReturnType<typeof adminApi>;
  const channelKey = 'sk-mock-e2e-secret-0123456789';

  /** A channel for `model` on `provider`'s mock path, with scripted behaviour in the upstream model name. */
  async function scripted(model: string, provider: string, upstream: string, extra: Record<string, unknown> = {}) {
    const r = await admin('POST', '/admin/v1/channels', {
      name: `scripted-${model}-${Math.random().toString(36).slice(2, 8)}`,
      provider,
      base_url: `${p.mockUrl}${MOCK_PATH[provider]}`,
      api_keys: [channelKey],
      models: [model],
      model_mapping: { [model]: upstream },
      ...extra,
    });
    assert.equal(r.status, 201, JSON.stringify(r.body));
    const priced = await admin('PUT', `/admin/v1/models/${model}/price`, { input_usd_per_mtok: '1.00', output_usd_per_mtok: '2.00' });
    assert.equal(priced.status, 200, JSON.stringify(priced.body));
  }

  before(async () => {
    // `auto` starts on the seed's smallest-context model, so the context fallback has somewhere to go.
    p = await startPlatform('providers', { AUTO_DEFAULT_MODEL: 'qwen-max' });
    client = new OpenAI({ apiKey: p.key, baseURL: `${p.baseUrl}/v1`, maxRetries: 0 });
    admin = adminApi(p);
  });
  after(async () => p?.stop());

  for (const [model, provider] of Object.entries(PROVIDER_OF)) {
    it(`${model} (${provider}): same completion, stream and usage shapes as OpenAI`, async () => {
      const messages = [{ role: 'user' as const, content: `Tell me about ${provider}` }];
      const { data: whole, response } = await client.chat.completions.create({ model, messages, max_tokens: 60 }).withResponse();
      assert.equal(response.headers.get('x-tokenflow-provider'), provider);
      assert.equal(whole.object, 'chat.completion');
      assert.equal(whole.model, model);
      assert.ok(whole.id);
      assert.equal(whole.choices.length, 1);
      assert.equal(whole.choices[0].message.role, 'assistant');
      assert.ok(whole.choices[0].message.content, 'content');
      assert.ok(['stop', 'length'].includes(whole.choices[0].finish_reason));
      assert.ok(whole.usage!.prompt_tokens > 0 && whole.usage!.completion_tokens > 0);
      assert.equal(whole.usage!.total_tokens, whole.usage!.prompt_tokens + whole.usage!.completion_tokens);

      const stream = await client.chat.completions.create({ model, messages, max_tokens: 60, stream: true, stream_options: { include_usage: true } });
      let text = '';
      let finish: string | null = null;
      const chunks = [];
      for await (const chunk of stream) {
        chunks.push(chunk);
        assert.equal(chunk.object, 'chat.completion.chunk');
        assert.equal(chunk.model, model);
        text += chunk.choices[0]?.delta?.content ?? '';
        finish = chunk.choices[0]?.finish_reason ?? finish;
      }
      const last = chunks[chunks.length - 1];
      assert.deepEqual(last.choices, []);
      assert.ok(last.usage && last.usage.completion_tokens > 0 && last.usage.prompt_tokens > 0);
      assert.ok(chunks.slice(0, -1).every((c) => c.usage === null));
      assert.equal(text, whole.choices[0].message.content, 'the stream says what the completion says');
      assert.equal(finish, whole.choices[0].finish_reason);
    });

    it(`${model} (${provider}): streamed parallel tool calls keep their indices and arguments`, async () => {
      const stream = await client.chat.completions.create({ model, messages: [{ role: 'user', content: 'Weather and time in Paris?' }], tools, stream: true });
      const calls = new Map<number, { id?: string; name: string; args: string }>();
      let finish: string | null = null;
      for await (const chunk of stream) {
        for (const tc of chunk.choices[0]?.delta?.tool_calls ?? []) {
          const slot = calls.get(tc.index) ?? { name: '', args: '' };
          if (tc.id) slot.id = tc.id;
          slot.name += tc.function?.name ?? '';
          slot.args += tc.function?.arguments ?? '';
          calls.set(tc.index, slot);
        }
        finish = chunk.choices[0]?.finish_reason ?? finish;
      }
      assert.equal(finish, 'tool_calls');
      assert.deepEqual([...calls.keys()].sort(), [0, 1]);
      assert.equal(calls.get(0)!.name, 'get_weather');
      assert.deepEqual(JSON.parse(calls.get(0)!.args), { city: 'mock', days: 42 });
      assert.equal(calls.get(1)!.name, 'get_time');
      assert.ok(calls.get(0)!.id && calls.get(1)!.id && calls.get(0)!.id !== calls.get(1)!.id);
    });
  }

  it('authenticates to each upstream the way it documents, on its own path', async () => {
    await fetch(`${p.mockUrl}/mock/requests`, { method: 'DELETE' });
    for (const model of Object.keys(PROVIDER_OF)) await client.chat.completions.create({ model, messages: [{ role: 'user', content: 'hi' }], max_tokens: 8 });
    const log = (await (await fetch(`${p.mockUrl}/mock/requests`)).json()) as { data: { path: string; headers: Record<string, unknown> }[] };
    const anthropic = log.data.find((r) => r.path.startsWith('/anthropic/v1/messages'))!;
    assert.ok(anthropic.headers['x-api-key'] && anthropic.headers['anthropic-version'] === '2023-06-01', JSON.stringify(anthropic.headers));
    assert.equal(anthropic.headers.authorization, undefined, 'Anthropic takes x-api-key, not a bearer token');
    for (const provider of ['deepseek', 'moonshot', 'zhipu', 'qwen', 'openai']) {
      const r = log.data.find((e) => e.path.startsWith(MOCK_PATH[provider]))!;
      assert.ok(r, provider);
      assert.match(String(r.headers.authorization), /^Bearer /, provider);
    }
  });

  it('deepseek-r1 streams reasoning_content before the answer and reports reasoning tokens', async () => {
    const stream = await client.chat.completions.create({
      model: 'deepseek-r1',
      messages: [{ role: 'user', content: 'Which is larger, 9.11 or 9.8?' }],
      stream: true,
      stream_options: { include_usage: true },
    });
    let reasoning = '';
    let answer = '';
    let reasoningAfterAnswer = false;
    let usage: OpenAI.CompletionUsage | null | undefined;
    for await (const chunk of stream) {
      const delta = (chunk.choices[0]?.delta ?? {}) as { content?: string | null; reasoning_content?: string | null };
      if (delta.reasoning_content) {
        reasoning += delta.reasoning_content;
        if (answer) reasoningAfterAnswer = true;
      }
      answer += delta.content ?? '';
      usage = chunk.usage ?? usage;
    }
    assert.ok(reasoning.length > 0 && answer.length > 0);
    assert.equal(reasoningAfterAnswer, false);
    assert.ok((usage?.completion_tokens_details?.reasoning_tokens ?? 0) > 0, JSON.stringify(usage));
  });

  it('turns upstream auth, credit and context errors into ours, in every provider\'s format, never leaking the key or URL', async () => {
    for (const provider of Object.keys(UPSTREAM_OF)) {
      const base = UPSTREAM_OF[provider];
      const cases: [string, number, string][] = [
        ['401', 502, 'upstream_auth_error'],
        ['quota', 502, 'upstream_quota_error'],
        ['context', 400, 'context_length_exceeded'],
      ];
      for (const [fail, status, code] of cases) {
        const model = `err-${provider}-${fail}`;
        await scripted(model, provider, `${base}+fail=${fail}`);
        const r = await post(p.baseUrl, '/v1/chat/completions', p.key, { model, messages: [{ role: 'user', content: 'hi' }] });
        assertOpenAiError(r, status, code);
        const text = JSON.stringify(r.json);
        assert.ok(!text.includes(channelKey) && !text.includes(p.mockUrl) && !text.includes('127.0.0.1'), `${provider} ${fail}: ${text}`);
      }
    }
    assert.ok(!p.logs.some((line) => line.includes(channelKey)), 'no channel key in any log line');
  });

  it('disables a channel key the upstream refused: later requests go to the healthy channel first', async () => {
    const model = 'bench-me';
    await scripted(model, 'openai', 'gpt-4o+fail=401', { priority: 10 });
    await scripted(model, 'deepseek', 'deepseek-chat', { priority: 0 });
    await fetch(`${p.mockUrl}/mock/requests`, { method: 'DELETE' });
    for (let i = 0; i < 3; i++) {
      const r = await client.chat.completions.create({ model, messages: [{ role: 'user', content: 'hi' }] });
      assert.equal(r.model, model);
    }
    const log = (await (await fetch(`${p.mockUrl}/mock/requests`)).json()) as { data: { body?: { model?: string } }[] };
    const refused = log.data.filter((r) => String(r.body?.model ?? '').includes('fail=401'));
    assert.equal(refused.length, 1, 'the refused key was tried once, then disabled');
  });

  it('tries the channel\'s next key when the upstream refuses one: a dead key never fails a request', async () => {
    const model = 'pool-me';
    // The mock refuses `sk-invalid` with a 401, as a revoked key; the channel's other key is good.
    await scripted(model, 'openai', 'gpt-4o', { api_keys: ['sk-invalid', channelKey] });
    await fetch(`${p.mockUrl}/mock/requests`, { method: 'DELETE' });
    // Keys are drawn at random (weighted by health), so enough requests that the dead key is drawn first at least once.
    for (let i = 0; i < 16; i++) {
      const r = await client.chat.completions.create({ model, messages: [{ role: 'user', content: 'hi' }] });
      assert.equal(r.model, model);
    }
    // The log masks keys to their last four characters: `sk-invalid` shows as `***alid`.
    const log = (await (await fetch(`${p.mockUrl}/mock/requests`)).json()) as { data: { headers: Record<string, string> }[] };
    assert.equal(log.data.filter((r) => String(r.headers.authorization).endsWith('alid')).length, 1, 'the dead key was tried once, then disabled');
    assert.equal(log.data.length, 17, 'sixteen answers and one refusal');
  });

  it('serves embeddings through the plan, limits, hold and ledger', async () => {
    await scripted('text-embedding-v4', 'qwen', 'text-embedding-v4');
    const { data, response } = await client.embeddings.create({ model: 'text-embedding-v4', input: ['first text', 'second text'] }).withResponse();
    assert.equal(data.object, 'list');
    assert.equal(data.model, 'text-embedding-v4');
    assert.equal(data.data.length, 2);
    assert.deepEqual(data.data.map((d) => d.index), [0, 1]);
    assert.ok(data.data[0].embedding.length > 0 && typeof data.data[0].embedding[0] === 'number');
    assert.ok(data.usage.prompt_tokens > 0 && data.usage.total_tokens === data.usage.prompt_tokens);
    assert.ok(Number(response.headers.get('x-tokenflow-cost-usd')) > 0, 'billed');
    // A batch far above one NATS message (64 × 3072 floats), as floats and as the SDK's default base64.
    await scripted('text-embedding-3-large', 'openai', 'text-embedding-3-large');
    const inputs = Array.from({ length: 64 }, (_, i) => `text number ${i}`);
    const big = await client.embeddings.create({ model: 'text-embedding-3-large', input: inputs, encoding_format: 'float' });
    assert.deepEqual(big.data.map((d) => d.index), inputs.map((_, i) => i));
    const dims = big.data[0].embedding.length;
    assert.ok(dims >= 1024, String(dims));
    const packed = await client.embeddings.create({ model: 'text-embedding-3-large', input: inputs });
    assert.equal(packed.data.length, 64);
    assert.equal(packed.data[0].embedding.length, dims, 'base64 decodes to the same vector length');
    assert.ok(Math.abs(packed.data[5].embedding[7] - big.data[5].embedding[7]) < 1e-6, 'and the same values');
    // A model whose provider has no embeddings (DeepSeek) is the caller's 400, not a retry-worthy 502.
    await scripted('no-embeddings', 'deepseek', 'deepseek-chat');
    const unsupported = await post(p.baseUrl, '/v1/embeddings', p.key, { model: 'no-embeddings', input: 'x' });
    assertOpenAiError(unsupported, 400, 'invalid_request');
    assert.equal(unsupported.json.error!.param, 'model');
    assertOpenAiError(await post(p.baseUrl, '/v1/embeddings', p.key, { model: 'text-embedding-v4' }), 400, 'invalid_request');
  });

  it('serves legacy completions, streaming and not', async () => {
    await scripted('gpt-3.5-turbo-instruct', 'openai', 'gpt-3.5-turbo-instruct');
    const whole = await client.completions.create({ model: 'gpt-3.5-turbo-instruct', prompt: 'Say this is a test', max_tokens: 20 });
    assert.equal(whole.object, 'text_completion');
    assert.equal(whole.model, 'gpt-3.5-turbo-instruct');
    assert.ok(whole.choices[0].text.length > 0);
    assert.ok(whole.usage!.completion_tokens > 0);
    const stream = await client.completions.create({ model: 'gpt-3.5-turbo-instruct', prompt: 'Say this is a test', max_tokens: 20, stream: true });
    let text = '';
    for await (const chunk of stream) text += chunk.choices[0]?.text ?? '';
    assert.equal(text, whole.choices[0].text);
  });

  it('moves `auto` to a larger-context model when the input did not fit, and a named model along its own chain', async () => {
    // Runs last: from here on qwen-max (32K context in the catalog) refuses every input as too long.
    const r = await admin('POST', '/admin/v1/channels', {
      name: 'qwen-too-small',
      provider: 'qwen',
      base_url: `${p.mockUrl}${MOCK_PATH.qwen}`,
      api_keys: [channelKey],
      models: ['qwen-max'],
      model_mapping: { 'qwen-max': 'qwen-max+fail=context' },
      priority: 100,
    });
    assert.equal(r.status, 201, JSON.stringify(r.body));
    const remaining = (r: Response) => Number(r.headers.get('x-ratelimit-remaining-requests'));
    const before = remaining((await client.chat.completions.create({ model: 'gpt-4o', messages: [{ role: 'user', content: 'x' }] }).withResponse()).response);
    // Told to choose among qwen-max only (`route.models`), `auto` starts there, then moves to a larger context.
    const { data, response } = await client.chat.completions
      .create({ model: 'auto', messages: [{ role: 'user', content: 'a long document…' }], route: { models: ['qwen-max'] } } as OpenAI.ChatCompletionCreateParamsNonStreaming)
      .withResponse();
    assert.notEqual(data.model, 'qwen-max');
    assert.match(response.headers.get('x-tokenflow-route') ?? '', /^auto-context-fallback; model=/);
    assert.ok(data.choices[0].message.content);
    // One call is one request to the key's limits, however many models it went through.
    assert.equal(remaining(response), before - 1);
    const after = remaining((await client.chat.completions.create({ model: 'gpt-4o', messages: [{ role: 'user', content: 'x' }] }).withResponse()).response);
    assert.equal(after, before - 2);
    // A named model goes where its chain says (the catalog's: qwen-max → deepseek-v3 → glm-4-plus), and nowhere without one.
    const named = await post(p.baseUrl, '/v1/chat/completions', p.key, { model: 'qwen-max', messages: [{ role: 'user', content: 'x' }] });
    assert.equal(named.status, 200, JSON.stringify(named.json));
    assert.equal(named.json.model, 'deepseek-v3');
    assert.equal(named.headers.get('x-tokenflow-route'), 'fallback; model=deepseek-v3; from=qwen-max');
    assertOpenAiError(await post(p.baseUrl, '/v1/chat/completions', p.key, { model: 'qwen-max', messages: [{ role: 'user', content: 'x' }], fallbacks: [] }), 400, 'context_length_exceeded');
  });

  it('answers other OpenAI endpoints with a 404 in OpenAI\'s format', async () => {
    for (const path of ['/v1/audio/speech', '/v1/images/generations', '/v1/assistants']) {
      assertOpenAiError(await post(p.baseUrl, path, p.key, { model: 'gpt-4o' }), 404, 'not_found');
    }
  });
});
