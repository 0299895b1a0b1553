import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import Ajv2020 from 'ajv/dist/2020';
import type { ChatRenderOptions } from '../chat/chat-flavor';
import { type ChatRequest, parseChatRequest } from '../chat/chat-request';
import { OpenAiError } from '../http/openai-error';
import { buildMessage, messageFrames } from '../providers/anthropic/message.format';
import { messagesPlanInput } from '../providers/anthropic/messages-input';
import { parseMessagesRequest } from '../providers/anthropic/messages-request';
import { DEEPSEEK_CHAT } from '../providers/deepseek/deepseek-chat.flavor';
import { MOONSHOT_CHAT } from '../providers/moonshot/moonshot-chat.flavor';
import { OPENAI_CHAT } from '../providers/openai/openai-chat.flavor';
import { QWEN_CHAT } from '../providers/qwen/qwen-chat.flavor';
import { ZHIPU_CHAT } from '../providers/zhipu/zhipu-chat.flavor';
import { CompletionPlannerService, JSON_TOKEN_CHARS, jsonTokens } from './completion-planner.service';

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

const ajv = new Ajv2020({ strict: false });
const schema = {
  type: 'object',
  properties: { city: { type: 'string' }, temp: { type: 'number' }, tags: { type: 'array', items: { type: 'string' } } },
  required: ['city', 'temp', 'tags'],
  additionalProperties: false,
};
const matches = ajv.compile(schema);

const planner = new CompletionPlannerService();
const chat = (extra: Record<string, unknown>): ChatRequest =>
  parseChatRequest({ model: 'gpt-4o', messages: [{ role: 'user', content: 'Paris weather as JSON' }], ...extra });
const jsonSchema = { type: 'json_schema', json_schema: { name: 'weather', schema, strict: true } };
const RENDER: ChatRenderOptions = { includeUsage: true, usageRequested: true };

function streamedContent(frames: { text: string }[]): string {
  return frames
    .filter((f) => f.text.startsWith('data: {'))
    .map((f) => JSON.parse(f.text.slice('data: '.length)) as Json)
    .map((c) => (c.choices?.[0]?.delta?.content as string | null | undefined) ?? '')
    .join('');
}

describe('structured output: the planner', () => {
  it('answers json_schema with JSON matching the schema, in pieces of a few characters, each one token', () => {
    const plan = planner.plan(chat({ response_format: jsonSchema }), 'gpt-4o', {});
    const text = plan.content.join('');
    assert.ok(matches(JSON.parse(text)), text);
    assert.ok(plan.content.length > 1 && plan.content.every((piece) => piece.length <= JSON_TOKEN_CHARS));
    assert.equal(plan.usage.completion_tokens, plan.content.length);
    assert.equal(plan.finishReason, 'stop');
  });

  it('answers json_object (and a json_schema without schema) with a JSON object of words', () => {
    for (const format of [{ type: 'json_object' }, { type: 'json_schema', json_schema: { name: 'any' } }]) {
      const value = JSON.parse(planner.plan(chat({ response_format: format }), 'gpt-4o', {}).content.join('')) as Json;
      assert.equal(typeof value.answer, 'string');
    }
  });

  it('is deterministic for the same prompt, ignores the tokens directive and is cut by the client cap with length', () => {
    const a = planner.plan(chat({ response_format: jsonSchema }), 'gpt-4o', {});
    assert.deepEqual(planner.plan(chat({ response_format: jsonSchema }), 'gpt-4o', { tokens: 3 }).content, a.content);
    const capped = planner.plan(chat({ response_format: jsonSchema, max_tokens: 3 }), 'gpt-4o', {});
    assert.deepEqual(capped.content, a.content.slice(0, 3));
    assert.equal(capped.finishReason, 'length');
  });

  it('answers text for text, and tool calls still take precedence', () => {
    assert.match(planner.plan(chat({ response_format: { type: 'text' } }), 'gpt-4o', {}).content[0], /^[a-z]+ $/);
    const tools = [{ type: 'function', function: { name: 'f', parameters: { type: 'object', properties: {} } } }];
    assert.equal(planner.plan(chat({ response_format: jsonSchema, tools }), 'gpt-4o', {}).finishReason, 'tool_calls');
  });

  it('splits on code points, so pieces never cut a character in two', () => {
    assert.deepEqual(jsonTokens('{"a":"日本語😀"}'), ['{"a"', ':"日本', '語😀"}']);
  });
});

describe('structured output: validation of response_format', () => {
  const rejection = (format: unknown) => assert.throws(() => chat({ response_format: format }), (err: unknown) => err instanceof OpenAiError && err.status === 400 && /response_format/.test(String(err.param)));

  it('refuses unknown types and a json_schema without its json_schema object or name, naming the parameter', () => {
    rejection({ type: 'xml' });
    rejection({ type: 'json_schema' });
    rejection({ type: 'json_schema', json_schema: { schema } });
  });
});

describe('structured output: every wire format renders the same JSON, streamed and plain', () => {
  const flavors = { OpenAI: OPENAI_CHAT, DeepSeek: DEEPSEEK_CHAT, Moonshot: MOONSHOT_CHAT, Qwen: QWEN_CHAT, Zhipu: ZHIPU_CHAT };
  for (const [name, flavor] of Object.entries(flavors)) {
    it(`${name}: the streamed pieces join to the plain message's content, which matches the schema`, () => {
      const plan = planner.plan(chat({ response_format: jsonSchema }), 'm', {}, false);
      const plain = (flavor.completion(plan, RENDER) as Json).choices[0].message.content as string;
      assert.ok(matches(JSON.parse(plain)), plain);
      assert.equal(streamedContent(flavor.frames(plan, RENDER)), plain);
    });
  }

  it('Zhipu: json_object (what the gateway sends it) is a JSON object', () => {
    const plan = planner.plan(chat({ response_format: { type: 'json_object' } }), 'glm-4-plus', {}, false);
    assert.equal(typeof JSON.parse(streamedContent(ZHIPU_CHAT.frames(plan, RENDER))), 'object');
  });

  it('Anthropic: output_config.format (and the beta output_format) gives a text block of JSON matching the schema', () => {
    for (const extra of [{ output_config: { format: { type: 'json_schema', schema } } }, { output_format: { type: 'json_schema', schema } }]) {
      const request = parseMessagesRequest({ model: 'claude', max_tokens: 1024, messages: [{ role: 'user', content: 'Paris weather as JSON' }], ...extra });
      const plan = planner.planFrom(messagesPlanInput(request), 'claude', {});
      const message = buildMessage(plan, true) as Json;
      assert.equal(message.content.length, 1);
      assert.equal(message.content[0].type, 'text');
      const text = message.content[0].text as string;
      assert.ok(matches(JSON.parse(text)), text);
      assert.equal(message.usage.output_tokens, plan.content.length);
      const deltas = messageFrames(plan, true)
        .map((f) => /^event: content_block_delta\ndata: (.*)\n\n$/s.exec(f.text)?.[1])
        .filter((d): d is string => d !== undefined)
        .map((d) => (JSON.parse(d) as Json).delta.text as string);
      assert.ok(deltas.length > 1);
      assert.equal(deltas.join(''), text);
    }
  });

  it('Anthropic: refuses a format other than json_schema', () => {
    assert.throws(() =>
      parseMessagesRequest({ model: 'c', max_tokens: 10, messages: [{ role: 'user', content: 'x' }], output_config: { format: { type: 'json_object' } } }),
    );
  });
});
