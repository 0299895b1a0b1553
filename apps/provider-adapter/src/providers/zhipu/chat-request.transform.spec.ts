import { strict as assert } from 'node:assert';
import { createHash } from 'node:crypto';
import { describe, it } from 'node:test';
import { jsonInstruction } from '../json-instruction';
import { toZhipuChatBody } from './chat-request.transform';
import { thrown } from '../../../test/providers/zhipu/zhipu.testing';

const hi = [{ role: 'user', content: 'hi' }];
const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');

function fullClientBody(): Record<string, unknown> {
  return {
    model: 'our-glm',
    messages: [
      { role: 'developer', content: [{ type: 'text', text: 'be brief' }] },
      { role: 'system', content: 'answer in JSON' },
      {
        role: 'user',
        name: 'alice',
        content: [
          { type: 'text', text: 'what is this?' },
          { type: 'image_url', image_url: { url: 'data:image/png;base64,iVBORw0KGgo=', detail: 'high' } },
          { type: 'image_url', image_url: { url: 'https://example.com/cat.png' } },
        ],
      },
      { role: 'assistant', content: null, reasoning_content: 'need weather', tool_calls: [{ id: 'call_1', type: 'function', function: { name: 'get_weather', arguments: '{"city":"北京"}' } }] },
      { role: 'tool', tool_call_id: 'call_1', content: [{ type: 'text', text: 'sunny' }] },
      { role: 'user', content: [{ type: 'text', text: 'and' }, { type: 'text', text: 'tomorrow?' }] },
    ],
    stream: false,
    stream_options: { include_usage: true },
    temperature: 1.7,
    top_p: 1,
    n: 1,
    stop: ['END', 'STOP'],
    max_tokens: 50,
    max_completion_tokens: 500_000,
    presence_penalty: 0.5,
    frequency_penalty: 0.5,
    logit_bias: { '50256': -100 },
    logprobs: true,
    top_logprobs: 2,
    seed: 7,
    user: 'u-1',
    tools: [
      { type: 'function', function: { name: 'get_weather', description: 'Weather by city', parameters: { type: 'object', properties: { city: { type: 'string' } } }, strict: true } },
      { type: 'function', function: { name: 'noop' } },
    ],
    tool_choice: 'required',
    parallel_tool_calls: false,
    response_format: { type: 'json_schema', json_schema: { name: 'answer', schema: { type: 'object' } } },
    service_tier: 'auto',
    metadata: { a: 'b' },
    thinking: { type: 'enabled', clear_thinking: false, budget_tokens: 5 },
    request_id: 'req-123',
    tool_stream: true,
    something_else: 1,
  };
}

describe('zhipu chat request transform', () => {
  it('sends the minimal body as exactly model, messages, stream:true', () => {
    assert.equal(JSON.stringify(toZhipuChatBody({ model: 'ours', messages: hi, stream: false, stream_options: { include_usage: true } }, 'glm-4-plus')), '{"model":"glm-4-plus","messages":[{"role":"user","content":"hi"}],"stream":true}');
  });

  it('translates every OpenAI field by its rule and forwards nothing Zhipu does not document', () => {
    assert.deepEqual(toZhipuChatBody(fullClientBody(), 'glm-4.6v'), {
      model: 'glm-4.6v',
      messages: [
        { role: 'system', content: 'be brief' },
        { role: 'system', content: 'answer in JSON' },
        { role: 'system', content: jsonInstruction({ type: 'object' }) },
        {
          role: 'user',
          content: [
            { type: 'text', text: 'what is this?' },
            { type: 'image_url', image_url: { url: 'iVBORw0KGgo=' } },
            { type: 'image_url', image_url: { url: 'https://example.com/cat.png' } },
          ],
        },
        { role: 'assistant', tool_calls: [{ id: 'call_1', type: 'function', function: { name: 'get_weather', arguments: '{"city":"北京"}' } }], reasoning_content: 'need weather' },
        { role: 'tool', content: 'sunny', tool_call_id: 'call_1' },
        { role: 'user', content: 'and\ntomorrow?' },
      ],
      stream: true,
      temperature: 1,
      top_p: 0.99,
      max_tokens: 131_072,
      stop: ['END'],
      tools: [
        { type: 'function', function: { name: 'get_weather', description: 'Weather by city', parameters: { type: 'object', properties: { city: { type: 'string' } } } } },
        { type: 'function', function: { name: 'noop', description: '', parameters: { type: 'object', properties: {} } } },
      ],
      tool_choice: 'auto',
      response_format: { type: 'json_object' },
      user_id: sha256('u-1'),
      request_id: 'req-123',
      thinking: { type: 'enabled', clear_thinking: false },
      tool_stream: true,
    });
  });

  it('does not modify the caller body', () => {
    const body = fullClientBody();
    toZhipuChatBody(body, 'glm-4.6v');
    assert.deepEqual(body, fullClientBody());
  });

  it('temperature: clamped to [0.01, 1] at two decimals; 0 is greedy, do_sample:false, with temperature and top_p unsent', () => {
    const t = (extra: Record<string, unknown>) => {
      const { model: _m, messages: _x, stream: _s, ...rest } = toZhipuChatBody({ messages: hi, ...extra }, 'glm-4-plus');
      return rest;
    };
    assert.deepEqual(t({ temperature: 0.123, top_p: 0.555 }), { temperature: 0.12, top_p: 0.56 });
    assert.deepEqual(t({ temperature: 2 }), { temperature: 1 });
    assert.deepEqual(t({ temperature: 0.001 }), { temperature: 0.01 });
    assert.deepEqual(t({ temperature: 0, top_p: 0.5 }), { do_sample: false });
    assert.deepEqual(t({ temperature: 0, do_sample: true }), { temperature: 0.01, do_sample: true });
    assert.deepEqual(t({ temperature: 0.7, do_sample: false }), { do_sample: false });
    assert.deepEqual(t({ temperature: null, top_p: null, do_sample: 'yes' }), {});
  });

  it('top_p: clamped into the open interval (0, 1) as [0.01, 0.99]', () => {
    assert.equal(toZhipuChatBody({ messages: hi, top_p: 0 }, 'm').top_p, 0.01);
    assert.equal(toZhipuChatBody({ messages: hi, top_p: 1 }, 'm').top_p, 0.99);
    assert.equal(toZhipuChatBody({ messages: hi, top_p: 0.9 }, 'm').top_p, 0.9);
  });

  it('n > 1 is refused as invalid_request on param n; n = 1 is simply not sent', () => {
    const err = thrown(() => toZhipuChatBody({ messages: hi, n: 2 }, 'm'));
    assert.deepEqual([err.code, err.param, err.status], ['invalid_request', 'n', 400]);
    assert.equal('n' in toZhipuChatBody({ messages: hi, n: 1 }, 'm'), false);
  });

  it('stop: Zhipu takes one stop word, so the first non-empty one is kept', () => {
    assert.deepEqual(toZhipuChatBody({ messages: hi, stop: 'END' }, 'm').stop, ['END']);
    assert.deepEqual(toZhipuChatBody({ messages: hi, stop: ['', 'A', 'B', 'C'] }, 'm').stop, ['A']);
    assert.equal('stop' in toZhipuChatBody({ messages: hi, stop: [] }, 'm'), false);
    assert.equal('stop' in toZhipuChatBody({ messages: hi, stop: '' }, 'm'), false);
  });

  it('max_completion_tokens wins over max_tokens, both become max_tokens', () => {
    assert.equal(toZhipuChatBody({ messages: hi, max_tokens: 100 }, 'm').max_tokens, 100);
    assert.equal(toZhipuChatBody({ messages: hi, max_tokens: 100, max_completion_tokens: 200 }, 'm').max_tokens, 200);
    assert.equal('max_completion_tokens' in toZhipuChatBody({ messages: hi, max_completion_tokens: 200 }, 'm'), false);
  });

  it('tool_choice: auto stays, none sends no tools, a named function sends only that tool with auto', () => {
    const tools = [
      { type: 'function', function: { name: 'a', parameters: { type: 'object' } } },
      { type: 'function', function: { name: 'b', description: 'B', parameters: { type: 'object' } } },
    ];
    assert.equal(toZhipuChatBody({ messages: hi, tools, tool_choice: 'auto' }, 'm').tool_choice, 'auto');
    assert.equal('tool_choice' in toZhipuChatBody({ messages: hi, tools }, 'm'), false);
    const none = toZhipuChatBody({ messages: hi, tools, tool_choice: 'none' }, 'm');
    assert.equal('tools' in none || 'tool_choice' in none, false);
    const named = toZhipuChatBody({ messages: hi, tools, tool_choice: { type: 'function', function: { name: 'b' } } }, 'm');
    assert.deepEqual(named.tools, [{ type: 'function', function: { name: 'b', description: 'B', parameters: { type: 'object' } } }]);
    assert.equal(named.tool_choice, 'auto');
    const err = thrown(() => toZhipuChatBody({ messages: hi, tools, tool_choice: { type: 'function', function: { name: 'zzz' } } }, 'm'));
    assert.deepEqual([err.code, err.param], ['invalid_request', 'tool_choice']);
    assert.equal('tool_choice' in toZhipuChatBody({ messages: hi, tool_choice: 'auto' }, 'm'), false, 'no tool_choice without tools');
  });

  it('user → user_id within 6–128 characters, otherwise its SHA-256 hex; a Zhipu user_id of its own wins', () => {
    const id = (user: string) => toZhipuChatBody({ messages: hi, user }, 'm').user_id;
    assert.equal(id('abcdef'), 'abcdef');
    assert.equal(id('x'.repeat(128)), 'x'.repeat(128));
    assert.equal(id('abcde'), sha256('abcde'));
    assert.equal(id('x'.repeat(129)), sha256('x'.repeat(129)));
    assert.equal('user_id' in toZhipuChatBody({ messages: hi, user: '' }, 'm'), false);
    assert.equal(toZhipuChatBody({ messages: hi, user: 'u-1', user_id: 'zhipu-user-9' }, 'm').user_id, 'zhipu-user-9');
  });

  it('response_format: json_object and json_schema → json_object; text is the default and not sent', () => {
    assert.deepEqual(toZhipuChatBody({ messages: hi, response_format: { type: 'json_object' } }, 'm').response_format, { type: 'json_object' });
    assert.equal('response_format' in toZhipuChatBody({ messages: hi, response_format: { type: 'text' } }, 'm'), false);
  });

  it('json_schema: json_object upstream, and the schema as a system message after the leading system ones (best effort)', () => {
    const schema = { type: 'object', properties: { city: { type: 'string' } }, required: ['city'], additionalProperties: false };
    const response_format = { type: 'json_schema', json_schema: { name: 'weather', strict: true, schema } };
    const sent = toZhipuChatBody({ messages: [{ role: 'system', content: 'be brief' }, ...hi, { role: 'system', content: 'late' }], response_format }, 'glm-4-plus');
    assert.deepEqual(sent.response_format, { type: 'json_object' });
    assert.deepEqual(sent.messages, [
      { role: 'system', content: 'be brief' },
      { role: 'system', content: jsonInstruction(schema) },
      { role: 'user', content: 'hi' },
      { role: 'system', content: 'late' },
    ]);
    assert.ok((sent.messages as { content: string }[])[1].content.includes(JSON.stringify(schema)));
    const first = toZhipuChatBody({ messages: hi, response_format }, 'glm-4-plus').messages as { role: string }[];
    assert.deepEqual(first.map((m) => m.role), ['system', 'user'], 'with no system message of the caller, the instruction comes first');
  });

  it('json_object and a json_schema without a schema add no instruction', () => {
    for (const response_format of [{ type: 'json_object' }, { type: 'json_schema', json_schema: { name: 'x' } }]) {
      const sent = toZhipuChatBody({ messages: hi, response_format }, 'glm-4-plus');
      assert.deepEqual(sent.messages, hi);
      assert.deepEqual(sent.response_format, { type: 'json_object' });
    }
  });

  it('thinking passes (documented keys only); enable_thinking becomes thinking when thinking is absent', () => {
    assert.deepEqual(toZhipuChatBody({ messages: hi, enable_thinking: false }, 'm').thinking, { type: 'disabled' });
    assert.deepEqual(toZhipuChatBody({ messages: hi, enable_thinking: true }, 'm').thinking, { type: 'enabled' });
    assert.deepEqual(toZhipuChatBody({ messages: hi, thinking: { type: 'adaptive' } }, 'm').thinking, { type: 'enabled' }, 'an Anthropic client\'s adaptive');
    assert.deepEqual(toZhipuChatBody({ messages: hi, enable_thinking: true, thinking: { type: 'disabled' } }, 'm').thinking, { type: 'disabled' });
    assert.equal('thinking' in toZhipuChatBody({ messages: hi, thinking: { type: 'maybe' } }, 'm'), false);
    assert.equal('enable_thinking' in toZhipuChatBody({ messages: hi, enable_thinking: true }, 'm'), false);
  });

  it('assistant turns: text parts are joined, empty content beside tool calls is left out, legacy function → tool', () => {
    const out = toZhipuChatBody(
      {
        messages: [
          { role: 'user', content: 'q' },
          { role: 'assistant', content: [{ type: 'text', text: 'x' }, { type: 'text', text: 'y' }] },
          { role: 'assistant', content: '', tool_calls: [{ id: 'c', type: 'function', function: { name: 'f', arguments: '{}' } }] },
          { role: 'function', name: 'f', content: '42' },
          { role: 'assistant', content: '' },
        ],
      },
      'm',
    );
    assert.deepEqual(out.messages, [
      { role: 'user', content: 'q' },
      { role: 'assistant', content: 'x\ny' },
      { role: 'assistant', tool_calls: [{ id: 'c', type: 'function', function: { name: 'f', arguments: '{}' } }] },
      { role: 'tool', content: '42' },
      { role: 'assistant', content: '' },
    ]);
  });

  it('Zhipu media parts (video_url, file_url) pass unchanged; a data: URL keeps only its base64 payload', () => {
    const out = toZhipuChatBody(
      {
        messages: [
          {
            role: 'user',
            content: [
              { type: 'video_url', video_url: { url: 'https://cdn.example/v.mp4' } },
              { type: 'image_url', image_url: { url: 'data:image/jpeg;base64,/9j/4AAQ' } },
              { type: 'text', text: 'describe' },
            ],
          },
        ],
      },
      'glm-4.6v',
    );
    assert.deepEqual(out.messages, [
      {
        role: 'user',
        content: [
          { type: 'video_url', video_url: { url: 'https://cdn.example/v.mp4' } },
          { type: 'image_url', image_url: { url: '/9j/4AAQ' } },
          { type: 'text', text: 'describe' },
        ],
      },
    ]);
  });

  it('refuses a conversation with no user message, as Zhipu would', () => {
    const err = thrown(() => toZhipuChatBody({ messages: [{ role: 'system', content: 's' }] }, 'm'));
    assert.deepEqual([err.code, err.param], ['invalid_request', 'messages']);
  });
});
