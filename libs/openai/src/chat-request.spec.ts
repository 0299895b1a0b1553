import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { TfError } from '@tokenflow/contracts';
import { chatRequestSchema } from './chat-request.schema';
import { toParam, validate } from './validate';

/** A request using every OpenAI Chat Completions field, plus a provider extension. */
function fullRequest(): Record<string, unknown> {
  return {
    model: 'gpt-4o',
    messages: [
      { role: 'system', content: 'You are terse.' },
      { role: 'developer', content: [{ type: 'text', text: 'Answer in English.' }] },
      {
        role: 'user',
        name: 'alice',
        content: [
          { type: 'text', text: 'What is in this picture, and what is the weather in Paris?' },
          { type: 'image_url', image_url: { url: 'data:image/png;base64,iVBORw0KGgo=', detail: 'high' } },
          { type: 'input_audio', input_audio: { data: 'AAAA', format: 'wav' } },
        ],
      },
      {
        role: 'assistant',
        content: null,
        tool_calls: [{ id: 'call_1', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Paris"}' } }],
      },
      { role: 'tool', tool_call_id: 'call_1', content: '{"temp_c":21}' },
      { role: 'assistant', content: 'It is 21°C in Paris.', reasoning_content: 'The tool said 21.' },
    ],
    stream: true,
    stream_options: { include_usage: true },
    temperature: 0.7,
    top_p: 0.9,
    n: 2,
    stop: ['\n\n', 'END'],
    max_tokens: 256,
    max_completion_tokens: 512,
    presence_penalty: 0.5,
    frequency_penalty: -0.5,
    logit_bias: { '50256': -100 },
    logprobs: true,
    top_logprobs: 5,
    seed: 42,
    user: 'user-1234',
    tools: [
      {
        type: 'function',
        function: {
          name: 'get_weather',
          description: 'Current weather for a city',
          parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] },
          strict: true,
        },
      },
    ],
    tool_choice: { type: 'function', function: { name: 'get_weather' } },
    parallel_tool_calls: false,
    response_format: {
      type: 'json_schema',
      json_schema: { name: 'weather', schema: { type: 'object', properties: { temp_c: { type: 'number' } } }, strict: true },
    },
    enable_thinking: true,
    thinking: { type: 'enabled', budget_tokens: 1024 },
  };
}

function minimal(extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { model: 'gpt-4o', messages: [{ role: 'user', content: 'hi' }], ...extra };
}

/** Runs validate and returns the TfError it must throw, after checking the common invalid_request shape. */
function rejection(body: unknown): TfError {
  try {
    validate(chatRequestSchema, body);
  } catch (err) {
    assert.ok(err instanceof TfError, `expected TfError, got ${String(err)}`);
    assert.equal(err.code, 'invalid_request');
    assert.equal(err.status, 400);
    assert.equal(err.type, 'invalid_request_error');
    return err;
  }
  assert.fail(`expected ${JSON.stringify(body)} to be rejected`);
}

describe('validate(chatRequestSchema)', () => {
  it('accepts a request using every OpenAI field and returns it unchanged', () => {
    const body = fullRequest();
    const parsed = validate(chatRequestSchema, structuredClone(body));
    assert.deepEqual(parsed, body);
  });

  it('passes unknown top-level fields (provider extensions) through unchanged', () => {
    const parsed = validate(chatRequestSchema, minimal({ enable_thinking: false, top_k: 40, extra: { nested: [1, 2] } })) as Record<
      string,
      unknown
    >;
    assert.equal(parsed.enable_thinking, false);
    assert.equal(parsed.top_k, 40);
    assert.deepEqual(parsed.extra, { nested: [1, 2] });
  });

  it('accepts null for nullable OpenAI parameters and the string forms of stop and tool_choice', () => {
    const parsed = validate(
      chatRequestSchema,
      minimal({ temperature: null, top_p: null, n: null, seed: null, stop: 'END', tool_choice: 'required', response_format: { type: 'json_object' } }),
    );
    assert.equal(parsed.temperature, null);
    assert.equal(parsed.stop, 'END');
    assert.equal(parsed.tool_choice, 'required');
    assert.deepEqual(parsed.response_format, { type: 'json_object' });
  });

  it('accepts the boundaries of numeric ranges', () => {
    for (const extra of [{ temperature: 0 }, { temperature: 2 }, { top_p: 1 }, { n: 128 }, { top_logprobs: 0 }, { top_logprobs: 20 }, { stop: ['a', 'b', 'c', 'd'] }]) {
      assert.doesNotThrow(() => validate(chatRequestSchema, minimal(extra)), JSON.stringify(extra));
    }
  });

  it('rejects temperature given as a string, naming temperature', () => {
    const err = rejection(minimal({ temperature: '0.7' }));
    assert.equal(err.param, 'temperature');
    assert.match(err.message, /^Invalid value for 'temperature'/);
  });

  it('rejects temperature above 2 and top_p above 1', () => {
    assert.equal(rejection(minimal({ temperature: 2.5 })).param, 'temperature');
    assert.equal(rejection(minimal({ top_p: 1.1 })).param, 'top_p');
  });

  it('reports a missing messages array as a missing required parameter', () => {
    const err = rejection({ model: 'gpt-4o' });
    assert.equal(err.param, 'messages');
    assert.ok(err.message.startsWith('Missing required parameter'), err.message);
    assert.match(err.message, /'messages'/);
  });

  it('reports a missing model as a missing required parameter', () => {
    const err = rejection({ messages: [{ role: 'user', content: 'hi' }] });
    assert.equal(err.param, 'model');
    assert.ok(err.message.startsWith('Missing required parameter'), err.message);
  });

  it('rejects an unknown message role, naming messages[1].role', () => {
    const err = rejection({
      model: 'gpt-4o',
      messages: [
        { role: 'user', content: 'hi' },
        { role: 'robot', content: 'beep' },
      ],
    });
    assert.equal(err.param, 'messages[1].role');
    assert.match(err.message, /^Invalid value for 'messages\[1\]\.role'/);
  });

  it('rejects message content of the wrong type, naming messages[0].content', () => {
    assert.equal(rejection({ model: 'gpt-4o', messages: [{ role: 'user', content: 42 }] }).param, 'messages[0].content');
    assert.equal(rejection({ model: 'gpt-4o', messages: [{ role: 'system', content: { text: 'x' } }] }).param, 'messages[0].content');
  });

  it('names the deepest offending field inside a content part', () => {
    const err = rejection({
      model: 'gpt-4o',
      messages: [{ role: 'user', content: [{ type: 'image_url', image_url: { url: '' } }] }],
    });
    assert.equal(err.param, 'messages[0].content[0].image_url.url');
  });

  it('rejects an empty messages array', () => {
    const err = rejection({ model: 'gpt-4o', messages: [] });
    assert.equal(err.param, 'messages');
    assert.match(err.message, /^Invalid value for 'messages'/);
  });

  it('rejects a tool message without tool_call_id', () => {
    const err = rejection({ model: 'gpt-4o', messages: [{ role: 'tool', content: 'x' }] });
    assert.equal(err.param, 'messages[0].tool_call_id');
    assert.ok(err.message.startsWith('Missing required parameter'), err.message);
  });

  it('rejects n: 0 and a non-integer n', () => {
    assert.equal(rejection(minimal({ n: 0 })).param, 'n');
    assert.equal(rejection(minimal({ n: 1.5 })).param, 'n');
  });

  it('rejects stop with more than 4 sequences', () => {
    const err = rejection(minimal({ stop: ['a', 'b', 'c', 'd', 'e'] }));
    assert.equal(err.param, 'stop');
  });

  it('rejects a tool function name with spaces, naming tools[0].function.name', () => {
    const err = rejection(minimal({ tools: [{ type: 'function', function: { name: 'get weather' } }] }));
    assert.equal(err.param, 'tools[0].function.name');
    assert.match(err.message, /1-64 characters/);
  });

  it('rejects an unknown tool_choice and an unknown response_format type', () => {
    assert.equal(rejection(minimal({ tool_choice: 'sometimes' })).param, 'tool_choice');
    assert.match(rejection(minimal({ response_format: { type: 'yaml' } })).param ?? '', /^response_format/);
  });

  it('rejects a body that is not a JSON object', () => {
    for (const body of [[], [minimal()], null, 'hello', 42, true, undefined]) {
      const err = rejection(body);
      assert.match(err.message, /must be a JSON object/, JSON.stringify(body));
      assert.equal(err.param, null);
    }
  });
});

describe('toParam', () => {
  it('renders zod paths the way OpenAI names parameters', () => {
    assert.equal(toParam([]), null);
    assert.equal(toParam(['model']), 'model');
    assert.equal(toParam(['messages', 0, 'content']), 'messages[0].content');
    assert.equal(toParam(['tools', 3, 'function', 'name']), 'tools[3].function.name');
    assert.equal(toParam(['messages', 1, 'content', 2, 'image_url', 'url']), 'messages[1].content[2].image_url.url');
  });
});

describe('missing required parameters inside unions', () => {
  it('reports a user message without content, or a message without role, as missing', () => {
    for (const [messages, param] of [
      [[{ role: 'user' }], 'messages[0].content'],
      [[{ content: 'hi' }], 'messages[0].role'],
    ] as const) {
      try {
        validate(chatRequestSchema, { model: 'gpt-4o', messages });
        assert.fail('should throw');
      } catch (err) {
        assert.ok(err instanceof TfError);
        assert.equal(err.param, param);
        assert.equal(err.message, `Missing required parameter: '${param}'.`);
      }
    }
  });
});
