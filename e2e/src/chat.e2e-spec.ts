import { strict as assert } from 'node:assert';
import { after, before, describe, it } from 'node:test';
import OpenAI from 'openai';
import { adminApi, type Platform, startPlatform } from './support/platform';

const CHAT_MODELS = ['claude-sonnet', 'deepseek-r1', 'deepseek-v3', 'glm-4-plus', 'gpt-4o', 'kimi-k2', 'qwen-max'];
/** Seeded since issue 15 (decision 0024). */
const EMBEDDING_MODELS = ['embedding-3', 'text-embedding-3-large', 'text-embedding-3-small', 'text-embedding-v3'];

describe('chat completions through the whole platform (official openai client)', () => {
  let p: Platform;
  let client: OpenAI;

  before(async () => {
    p = await startPlatform('chat');
    client = new OpenAI({ apiKey: p.key, baseURL: `${p.baseUrl}/v1`, maxRetries: 0 });
  });
  after(async () => p?.stop());

  it('lists the seven seed chat models, the four embedding models with their type, plus auto, and retrieves one', async () => {
    const types = new Map<string, unknown>();
    for await (const m of client.models.list()) types.set(m.id, (m as unknown as { type?: unknown }).type);
    assert.ok(types.has('auto'));
    types.delete('auto');
    assert.deepEqual([...types.keys()].sort(), [...CHAT_MODELS, ...EMBEDDING_MODELS].sort());
    for (const id of CHAT_MODELS) assert.equal(types.get(id), 'chat', id);
    for (const id of EMBEDDING_MODELS) assert.equal(types.get(id), 'embedding', id);
    const model = await client.models.retrieve('gpt-4o');
    assert.equal(model.id, 'gpt-4o');
    assert.equal(model.object, 'model');
    assert.equal(model.owned_by, 'openai');
  });

  it('answers a non-streaming request with usage and the real model', async () => {
    const { data, response } = await client.chat.completions
      .create({ model: 'deepseek-v3', messages: [{ role: 'user', content: 'Say hello' }] })
      .withResponse();
    assert.equal(data.object, 'chat.completion');
    assert.equal(data.model, 'deepseek-v3');
    assert.ok(data.choices[0].message.content && data.choices[0].message.content.length > 0);
    assert.equal(data.choices[0].finish_reason, 'stop');
    assert.ok(data.usage && data.usage.prompt_tokens > 0 && data.usage.completion_tokens > 0);
    assert.equal(data.usage.total_tokens, data.usage.prompt_tokens + data.usage.completion_tokens);
    assert.match(response.headers.get('x-request-id') ?? '', /^req_[0-9a-f]{24}$/);
    assert.equal(response.headers.get('x-tokenflow-provider'), 'deepseek');
  });

  it('streams chunks in OpenAI format and the same text as the non-streaming answer', async () => {
    const messages = [{ role: 'user' as const, content: 'Stream me something' }];
    const whole = await client.chat.completions.create({ model: 'qwen-max', messages });
    const stream = await client.chat.completions.create({ model: 'qwen-max', messages, stream: true });
    let text = '';
    let chunks = 0;
    let finish: string | null = null;
    for await (const chunk of stream) {
      chunks++;
      assert.equal(chunk.object, 'chat.completion.chunk');
      assert.equal(chunk.model, 'qwen-max');
      assert.equal(chunk.usage ?? undefined, undefined, 'no usage unless include_usage was asked for');
      text += chunk.choices[0]?.delta?.content ?? '';
      finish = chunk.choices[0]?.finish_reason ?? finish;
    }
    assert.ok(chunks > 2);
    assert.equal(text, whole.choices[0].message.content);
    assert.equal(finish, 'stop');
  });

  it('honours stream_options.include_usage with a final usage chunk', async () => {
    const stream = await client.chat.completions.create({
      model: 'glm-4-plus',
      messages: [{ role: 'user', content: 'count tokens' }],
      stream: true,
      stream_options: { include_usage: true },
    });
    const chunks = [];
    for await (const c of stream) chunks.push(c);
    const last = chunks[chunks.length - 1];
    assert.deepEqual(last.choices, []);
    assert.ok(last.usage && last.usage.completion_tokens > 0);
    assert.ok(chunks.slice(0, -1).every((c) => c.usage === null));
  });

  it('streams parallel tool calls intact', async () => {
    const tools = [
      {
        type: 'function' as const,
        function: { name: 'get_weather', parameters: { type: 'object', properties: { city: { type: 'string' }, days: { type: 'integer' } } } },
      },
      { type: 'function' as const, function: { name: 'get_time', parameters: { type: 'object', properties: { tz: { type: 'string' } } } } },
    ];
    const stream = await client.chat.completions.create({
      model: 'gpt-4o',
      messages: [{ role: 'user', content: 'Weather and time in Paris?' }],
      tools,
      stream: true,
    });
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
    assert.equal(calls.size, 2);
    assert.equal(calls.get(0)!.name, 'get_weather');
    assert.deepEqual(JSON.parse(calls.get(0)!.args), { city: 'mock', days: 42 });
    assert.equal(calls.get(1)!.name, 'get_time');
    assert.ok(calls.get(0)!.id);

    const whole = await client.chat.completions.create({
      model: 'gpt-4o',
      messages: [{ role: 'user', content: 'Weather in Paris?' }],
      tools,
      tool_choice: { type: 'function', function: { name: 'get_weather' } },
    });
    const call = whole.choices[0].message.tool_calls![0];
    assert.equal(call.type, 'function');
    assert.equal(call.type === 'function' && call.function.name, 'get_weather');
  });

  it('passes OpenAI request fields through to an OpenAI-compatible upstream unchanged', async () => {
    const admin = adminApi(p);
    await fetch(`${p.mockUrl}/mock/requests`, { method: 'DELETE' });
    const request = {
      model: 'kimi-k2',
      messages: [
        { role: 'system' as const, content: 'be brief' },
        {
          role: 'user' as const,
          content: [
            { type: 'text' as const, text: 'What is in this text?' },
            { type: 'text' as const, text: 'Two parts, kept apart.' },
          ],
        },
      ],
      temperature: 0.3,
      top_p: 0.9,
      n: 2,
      stop: ['\n\n'],
      seed: 7,
      max_tokens: 5,
      user: 'user-42',
      logprobs: true,
      top_logprobs: 2,
      response_format: { type: 'json_object' as const },
    };
    const res = await client.chat.completions.create(request);
    assert.equal(res.choices.length, 2);
    assert.equal(res.choices[0].finish_reason, 'length');
    const log = (await (await fetch(`${p.mockUrl}/mock/requests`)).json()) as { data: { body: Record<string, unknown> }[] };
    const sent = log.data[log.data.length - 1].body;
    for (const [k, v] of Object.entries(request)) {
      if (k === 'model') continue;
      assert.deepEqual(sent[k], v, `field ${k} must pass through`);
    }
    assert.equal(sent.model, 'kimi-k2-0905-preview', 'model is mapped to the upstream name');
    assert.ok((await admin('GET', '/admin/v1/channels')).status === 200);
  });

  it('returns reasoning_content for a reasoning model', async () => {
    const res = await client.chat.completions.create({ model: 'deepseek-r1', messages: [{ role: 'user', content: 'think' }] });
    const msg = res.choices[0].message as unknown as { reasoning_content?: string; content: string };
    assert.ok(msg.reasoning_content && msg.reasoning_content.length > 0);
    assert.ok(msg.content.length > 0);
    assert.ok((res.usage?.completion_tokens_details?.reasoning_tokens ?? 0) > 0);
  });

  it('resolves auto for chit-chat to a cheap model and explains the decision in x-tokenflow-route', async () => {
    const { data, response } = await client.chat.completions
      .create({ model: 'auto', messages: [{ role: 'user', content: 'hi' }] })
      .withResponse();
    assert.equal(data.model, 'deepseek-v3');
    assert.equal(response.headers.get('x-tokenflow-model'), 'deepseek-v3');
    assert.match(response.headers.get('x-tokenflow-route') ?? '', /^cat=chat;gain=-?[\d.]+;mode=balanced;est_usd=[\d.e-]+;reason=[^;]+;fallback=[a-z0-9.,-]+$/);
  });
});
