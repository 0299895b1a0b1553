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

const weatherTool = { type: 'function', function: { name: 'get_weather', parameters: { type: 'object', properties: {} } } };

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
      minimal({
        temperature: null,
        top_p: null,
        n: null,
        seed: null,
        stop: 'END',
        tools: [weatherTool],
        tool_choice: 'required',
        response_format: { type: 'json_object' },
      }),
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

  it('rejects an empty messages array with OpenAI\'s message', () => {
    const err = rejection({ model: 'gpt-4o', messages: [] });
    assert.equal(err.param, 'messages');
    assert.equal(err.message, "Invalid 'messages': empty array. Expected an array with minimum length 1, but got an empty array instead.");
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

  it('accepts our `fallbacks` extension (0 to 8 model ids; [] for none) and refuses a malformed one, naming fallbacks', () => {
    const chain = ['deepseek-v3', 'x'.repeat(256), 'm3', 'm4', 'm5', 'm6', 'm7', 'm8'];
    assert.deepEqual(validate(chatRequestSchema, minimal({ fallbacks: chain })).fallbacks, chain);
    assert.equal(validate(chatRequestSchema, minimal()).fallbacks, undefined);
    assert.deepEqual(validate(chatRequestSchema, minimal({ fallbacks: [] })).fallbacks, [], 'no fallback for this request');
    const cases: [unknown, string][] = [
      [[...chain, 'm9'], 'fallbacks'],
      ['deepseek-v3', 'fallbacks'],
      [null, 'fallbacks'],
      [['gpt-4o', ''], 'fallbacks[1]'],
      [['x'.repeat(257)], 'fallbacks[0]'],
      [[7], 'fallbacks[0]'],
    ];
    for (const [fallbacks, param] of cases) assert.equal(rejection(minimal({ fallbacks })).param, param, JSON.stringify(fallbacks).slice(0, 40));
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

/** Each case: a body OpenAI refuses, the param and the exact message it answers with (quoted where OpenAI's is known). */
describe('validation parity with OpenAI', () => {
  const user = (content: unknown) => ({ role: 'user', content });
  const call = (id: string) => ({ id, type: 'function', function: { name: 'get_weather', arguments: '{}' } });
  const cases: [string, Record<string, unknown>, string, string][] = [
    ['an empty tools array', minimal({ tools: [] }), 'tools', "Invalid 'tools': empty array. Expected an array with minimum length 1, but got an empty array instead."],
    [
      'tool_choice required without tools',
      minimal({ tool_choice: 'required' }),
      'tool_choice',
      "Invalid value for 'tool_choice': 'tool_choice' is only allowed when 'tools' are specified.",
    ],
    [
      'a named tool_choice without tools',
      minimal({ tool_choice: { type: 'function', function: { name: 'get_weather' } } }),
      'tool_choice',
      "Invalid value for 'tool_choice': 'tool_choice' is only allowed when 'tools' are specified.",
    ],
    [
      'a named tool_choice that is not among the tools',
      minimal({ tools: [weatherTool], tool_choice: { type: 'function', function: { name: 'get_time' } } }),
      'tool_choice',
      "Invalid value for 'tool_choice': no function named 'get_time' is among the 'tools'.",
    ],
    [
      'stream_options without stream',
      minimal({ stream_options: { include_usage: true } }),
      'stream_options',
      "The 'stream_options' parameter is only allowed when 'stream' is enabled.",
    ],
    [
      'stream_options with stream: false',
      minimal({ stream: false, stream_options: { include_usage: true } }),
      'stream_options',
      "The 'stream_options' parameter is only allowed when 'stream' is enabled.",
    ],
    [
      'a logit_bias key that is not a token id',
      minimal({ logit_bias: { '50256': -100, AI: 10 } }),
      'logit_bias',
      "Invalid key in 'logit_bias': AI. You should only be submitting non-negative integers.",
    ],
    ['a negative logit_bias token id', minimal({ logit_bias: { '-1': 5 } }), 'logit_bias', "Invalid key in 'logit_bias': -1. You should only be submitting non-negative integers."],
    [
      'a logit_bias value above 100',
      minimal({ logit_bias: { '50256': 150 } }),
      'logit_bias',
      "Invalid value for 'logit_bias': the bias for token 50256 is 150; expected a number from -100 to 100.",
    ],
    [
      'a tool message that answers no tool call',
      { model: 'gpt-4o', messages: [user('hi'), { role: 'tool', tool_call_id: 'call_1', content: '21' }] },
      'messages[1].role',
      "Invalid parameter: messages with role 'tool' must be a response to a preceeding message with 'tool_calls'.",
    ],
    [
      'a tool message answering a call made later',
      {
        model: 'gpt-4o',
        messages: [user('hi'), { role: 'tool', tool_call_id: 'call_1', content: '21' }, { role: 'assistant', content: null, tool_calls: [call('call_1')] }],
      },
      'messages[1].role',
      "Invalid parameter: messages with role 'tool' must be a response to a preceeding message with 'tool_calls'.",
    ],
    [
      'an unknown user content part type',
      { model: 'gpt-4o', messages: [user([{ type: 'text', text: 'a' }, { type: 'video_url', video_url: { url: 'https://x/v.mp4' } }])] },
      'messages[0].content[1].type',
      "Invalid value for 'messages[0].content[1].type': 'video_url' is not supported; supported values are: 'text', 'image_url', 'input_audio', or 'file'.",
    ],
    [
      'an image part in a system message',
      { model: 'gpt-4o', messages: [{ role: 'system', content: [{ type: 'image_url', image_url: { url: 'https://x/a.png' } }] }, user('hi')] },
      'messages[0].content[0].type',
      "Invalid value for 'messages[0].content[0].type': 'image_url' is not supported; supported values are: 'text'.",
    ],
    [
      'an image part in an assistant message',
      { model: 'gpt-4o', messages: [user('hi'), { role: 'assistant', content: [{ type: 'image_url', image_url: { url: 'https://x/a.png' } }] }] },
      'messages[1].content[0].type',
      "Invalid value for 'messages[1].content[0].type': 'image_url' is not supported; supported values are: 'text' or 'refusal'.",
    ],
    [
      'a refusal part in a tool message',
      { model: 'gpt-4o', messages: [user('hi'), { role: 'assistant', tool_calls: [call('c')] }, { role: 'tool', tool_call_id: 'c', content: [{ type: 'refusal', refusal: 'no' }] }] },
      'messages[2].content[0].type',
      "Invalid value for 'messages[2].content[0].type': 'refusal' is not supported; supported values are: 'text'.",
    ],
    [
      'more than 16 metadata keys',
      minimal({ metadata: Object.fromEntries(Array.from({ length: 17 }, (_, i) => [`k${i}`, 'v'])) }),
      'metadata',
      "Invalid 'metadata': too many properties. Expected an object with at most 16 properties, but got an object with 17 properties instead.",
    ],
    [
      'a metadata key over 64 characters',
      minimal({ metadata: { ['k'.repeat(65)]: 'v' } }),
      'metadata',
      "Invalid 'metadata': key too long. Expected a key with maximum length 64, but got a key with length 65 instead.",
    ],
    [
      'a metadata value over 512 characters',
      minimal({ metadata: { run: 'v'.repeat(513) } }),
      'metadata.run',
      "Invalid 'metadata.run': string too long. Expected a string with maximum length 512, but got a string with length 513 instead.",
    ],
    [
      'a user id over 512 characters',
      minimal({ user: 'u'.repeat(513) }),
      'user',
      "Invalid 'user': string too long. Expected a string with maximum length 512, but got a string with length 513 instead.",
    ],
    [
      'a safety_identifier over 64 characters',
      minimal({ safety_identifier: 's'.repeat(65) }),
      'safety_identifier',
      "Invalid 'safety_identifier': string too long. Expected a string with maximum length 64, but got a string with length 65 instead.",
    ],
  ];
  for (const [name, body, param, message] of cases) {
    it(`rejects ${name}, naming ${param}`, () => {
      const err = rejection(body);
      assert.equal(err.param, param);
      assert.equal(err.message, message);
    });
  }

  it('accepts what OpenAI accepts around those rules', () => {
    const ok: Record<string, unknown>[] = [
      // tool_choice none/auto without tools, and null for optional objects.
      minimal({ tool_choice: 'none' }),
      minimal({ tool_choice: 'auto', tools: null, stream_options: null, parallel_tool_calls: null, response_format: null, user: null, metadata: null }),
      minimal({ stream: true, stream_options: { include_usage: false } }),
      minimal({ logit_bias: { '0': -100, '100257': 100, '42': 0.5 } }),
      minimal({ metadata: { ['k'.repeat(64)]: 'v'.repeat(512) }, user: 'u'.repeat(512), safety_identifier: 's'.repeat(64) }),
      // Parallel calls answered in any order, and an answer several turns after its call.
      {
        model: 'gpt-4o',
        messages: [
          { role: 'user', content: 'weather in Paris and Rome?' },
          { role: 'assistant', content: null, tool_calls: [call('a'), call('b')] },
          { role: 'tool', tool_call_id: 'b', content: '18' },
          { role: 'tool', tool_call_id: 'a', content: [{ type: 'text', text: '21' }] },
          { role: 'assistant', content: [{ type: 'text', text: 'Paris 21, Rome 18' }, { type: 'refusal', refusal: 'no more' }] },
          { role: 'user', content: [{ type: 'file', file: { file_id: 'file-1' } }, { type: 'input_audio', input_audio: { data: 'AAAA', format: 'mp3' } }] },
        ],
      },
    ];
    for (const body of ok) assert.doesNotThrow(() => validate(chatRequestSchema, body), JSON.stringify(body).slice(0, 200));
  });

  it('reports the first broken rule only after every field is well-typed', () => {
    // Both a type error and a cross-field rule: the type error is what OpenAI reports first.
    const err = rejection(minimal({ temperature: 'hot', stream_options: { include_usage: true } }));
    assert.equal(err.param, 'temperature');
  });
});
