import { strict as assert } from 'node:assert';
import { after, before, describe, it } from 'node:test';
import Anthropic from '@anthropic-ai/sdk';
import { type Platform, startPlatform } from './support/platform';

const tools = [
  { name: 'get_weather', description: 'Weather for a city', input_schema: { type: 'object' as const, properties: { city: { type: 'string' }, days: { type: 'integer' } } } },
  { name: 'get_time', description: 'Time in a zone', input_schema: { type: 'object' as const, properties: { tz: { type: 'string' } } } },
];

describe('Anthropic-format clients: the official @anthropic-ai/sdk against /v1/messages, unchanged', () => {
  let p: Platform;
  let client: Anthropic;

  before(async () => {
    p = await startPlatform('anthropic');
    client = new Anthropic({ apiKey: p.key, baseURL: p.baseUrl, maxRetries: 0 });
  });
  after(async () => p?.stop());

  for (const model of ['claude-sonnet', 'deepseek-v3', 'glm-4-plus', 'auto']) {
    it(`${model}: a whole message, then the same text streamed`, async () => {
      const messages = [{ role: 'user' as const, content: 'Tell me something short.' }];
      const message = await client.messages.create({ model, max_tokens: 64, system: 'Be brief.', messages });
      assert.equal(message.type, 'message');
      assert.equal(message.role, 'assistant');
      // The model that answered (`auto` resolved), as the OpenAI API reports it.
      assert.equal(message.model, model === 'auto' ? 'deepseek-v3' : model);
      assert.match(message.id, /^msg_/);
      const text = message.content.filter((b) => b.type === 'text').map((b) => (b.type === 'text' ? b.text : '')).join('');
      assert.ok(text.length > 0);
      assert.ok(['end_turn', 'max_tokens'].includes(String(message.stop_reason)));
      assert.ok(message.usage.input_tokens > 0 && message.usage.output_tokens > 0);

      const stream = client.messages.stream({ model, max_tokens: 64, system: 'Be brief.', messages });
      let streamed = '';
      const types = new Set<string>();
      stream.on('text', (t) => {
        streamed += t;
      });
      stream.on('streamEvent', (ev) => {
        types.add(ev.type);
      });
      const final = await stream.finalMessage();
      assert.equal(streamed, text, 'the stream says what the message says');
      for (const t of ['message_start', 'content_block_start', 'content_block_delta', 'content_block_stop', 'message_delta', 'message_stop']) assert.ok(types.has(t), t);
      assert.equal(final.stop_reason, message.stop_reason);
      assert.ok(final.usage.output_tokens > 0);
    });
  }

  it('calls tools and takes tool results back, streaming and not, whichever provider serves the model', async () => {
    for (const model of ['claude-sonnet', 'gpt-4o', 'qwen-max']) {
      const message = await client.messages.create({ model, max_tokens: 200, tools, messages: [{ role: 'user', content: 'Weather and time in Paris?' }] });
      assert.equal(message.stop_reason, 'tool_use', model);
      const uses = message.content.filter((b) => b.type === 'tool_use');
      assert.deepEqual(
        uses.map((u) => (u.type === 'tool_use' ? u.name : '')),
        ['get_weather', 'get_time'],
        model,
      );
      const first = uses[0];
      assert.ok(first.type === 'tool_use' && first.id);
      assert.deepEqual(first.type === 'tool_use' ? first.input : null, { city: 'mock', days: 42 });

      const streamed = await client.messages.stream({ model, max_tokens: 200, tools, messages: [{ role: 'user', content: 'Weather and time in Paris?' }] }).finalMessage();
      const streamedUses = streamed.content.filter((b) => b.type === 'tool_use');
      assert.deepEqual(
        streamedUses.map((u) => (u.type === 'tool_use' ? [u.name, u.input] : null)),
        [
          ['get_weather', { city: 'mock', days: 42 }],
          ['get_time', { tz: 'mock' }],
        ],
        model,
      );

      // The tool results go back in Anthropic's shape and the conversation continues.
      const followUp = await client.messages.create({
        model,
        max_tokens: 64,
        tools,
        tool_choice: { type: 'none' },
        messages: [
          { role: 'user', content: 'Weather and time in Paris?' },
          { role: 'assistant', content: message.content },
          {
            role: 'user',
            content: uses.map((u) => ({ type: 'tool_result' as const, tool_use_id: u.type === 'tool_use' ? u.id : '', content: 'sunny, 12:00' })),
          },
        ],
      });
      assert.equal(followUp.stop_reason, 'end_turn', model);
      assert.ok(followUp.content.some((b) => b.type === 'text'));
    }
  });

  it('auto: route preferences and fallbacks in the body (`extra_body`) and the latency header steer the choice', async () => {
    const { data, response } = await client.messages
      .create({ model: 'auto', max_tokens: 64, messages: [{ role: 'user', content: 'Hello there!' }], route: { mode: 'quality', models: ['glm-4-plus', 'qwen-max'] } } as Anthropic.MessageCreateParamsNonStreaming, {
        headers: { 'x-tokenflow-latency-target-ms': '5000' },
      })
      .withResponse();
    assert.ok(['glm-4-plus', 'qwen-max'].includes(data.model), data.model);
    assert.match(response.headers.get('x-tokenflow-route') ?? '', /;mode=quality;/);
    const bad = await fetch(`${p.baseUrl}/v1/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-api-key': p.key, 'anthropic-version': '2023-06-01' },
      body: JSON.stringify({ model: 'auto', max_tokens: 8, messages: [{ role: 'user', content: 'hi' }], route: { mode: 'cheapest' } }),
    });
    assert.equal(bad.status, 400);
    const err = (await bad.json()) as { type: string; error: { type: string; message: string } };
    assert.equal(err.error.type, 'invalid_request_error');
    assert.match(err.error.message, /route\.mode/);
  });

  it('counts tokens without running the model', async () => {
    const short = await client.messages.countTokens({ model: 'claude-sonnet', messages: [{ role: 'user', content: 'hi' }] });
    const long = await client.messages.countTokens({ model: 'claude-sonnet', tools, messages: [{ role: 'user', content: 'hi '.repeat(200) }] });
    assert.ok(short.input_tokens > 0 && long.input_tokens > short.input_tokens + 150);
  });

  it('accepts a Bearer token as well as x-api-key, and answers errors in Anthropic\'s format', async () => {
    const bearer = new Anthropic({ authToken: p.key, apiKey: null, baseURL: p.baseUrl, maxRetries: 0 });
    const ok = await bearer.messages.create({ model: 'claude-sonnet', max_tokens: 16, messages: [{ role: 'user', content: 'hi' }] });
    assert.equal(ok.type, 'message');

    const stranger = new Anthropic({ apiKey: 'tf-not-a-real-key', baseURL: p.baseUrl, maxRetries: 0 });
    const denied = await stranger.messages.create({ model: 'claude-sonnet', max_tokens: 16, messages: [{ role: 'user', content: 'hi' }] }).catch((e: unknown) => e);
    assert.ok(denied instanceof Anthropic.AuthenticationError, String(denied));
    assert.equal((denied.error as { error?: { type?: string } }).error?.type, 'authentication_error');

    const missing = await client.messages.create({ model: 'no-such-model', max_tokens: 16, messages: [{ role: 'user', content: 'hi' }] }).catch((e: unknown) => e);
    assert.ok(missing instanceof Anthropic.NotFoundError, String(missing));

    // An image bigger than one NATS message reaches the upstream in parts: the body limit is the only size.
    await fetch(`${p.mockUrl}/mock/requests`, { method: 'DELETE' });
    const big = await client.messages.create({
      model: 'claude-sonnet',
      max_tokens: 16,
      messages: [{ role: 'user', content: [{ type: 'text', text: 'what is it?' }, { type: 'image', source: { type: 'base64', media_type: 'image/png', data: 'A'.repeat(1_600_000) } }] }],
    });
    assert.equal(big.type, 'message');
    const seen = (await (await fetch(`${p.mockUrl}/mock/requests`)).json()) as { data: { body: { messages?: { content: { source?: { data?: string } }[] }[] } }[] };
    const image = seen.data.at(-1)?.body.messages?.[0]?.content.find((b) => b.source)?.source?.data;
    assert.equal(image?.length, 1_600_000, 'the whole image arrived upstream');

    // Above the body limit it is a clear 413 in Anthropic's envelope, not a 503 the SDK would retry.
    const huge = await client.messages
      .create({
        model: 'claude-sonnet',
        max_tokens: 16,
        messages: [{ role: 'user', content: [{ type: 'image', source: { type: 'base64', media_type: 'image/png', data: 'A'.repeat(21 * 1024 * 1024) } }] }],
      })
      .catch((e: unknown) => e);
    assert.ok(huge instanceof Anthropic.APIError && huge.status === 413, String(huge));
    assert.equal((huge.error as { error?: { type?: string } }).error?.type, 'request_too_large');

    const raw = await fetch(`${p.baseUrl}/v1/messages`, {
      method: 'POST',
      headers: { 'x-api-key': p.key, 'anthropic-version': '2023-06-01', 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'claude-sonnet', messages: [{ role: 'user', content: 'hi' }] }),
    });
    assert.equal(raw.status, 400);
    const body = (await raw.json()) as { type: string; error: { type: string; message: string } };
    assert.equal(body.type, 'error');
    assert.equal(body.error.type, 'invalid_request_error');
    assert.match(body.error.message, /max_tokens/);
  });
});
