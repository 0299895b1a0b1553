import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { TfError } from '@tokenflow/contracts';
import { performance } from 'node:perf_hooks';
import { richRequest } from './conversation.fixture';
import { toAnthropicParam, validateCountTokensRequest, validateMessagesRequest } from './messages-request.validate';

const user = (content: unknown) => ({ role: 'user', content });
const minimal = (extra: Record<string, unknown> = {}) => ({ model: 'claude-sonnet-4-5', max_tokens: 100, messages: [user('Hi')], ...extra });

function rejection(body: unknown, validator: (b: unknown) => unknown = validateMessagesRequest): TfError {
  try {
    validator(body);
  } catch (err) {
    assert.ok(err instanceof TfError, `expected a TfError, got ${String(err)}`);
    return err;
  }
  assert.fail('expected the request to be rejected');
}

describe('validateMessagesRequest', () => {
  it('accepts a rich conversation as the SDK sends it, unchanged', () => {
    const body = richRequest();
    assert.deepEqual(validateMessagesRequest(structuredClone(body)), body);
  });

  it('accepts a string prompt, adaptive thinking and Anthropic-only fields it ignores', () => {
    const body = minimal({
      thinking: { type: 'adaptive' },
      output_config: { effort: 'max' },
      service_tier: 'auto',
      container: null,
      cache_control: { type: 'ephemeral' },
      system: 'Be nice.',
      messages: [user('Hi'), { role: 'assistant', content: 'Hello' }, user('Again')],
    });
    assert.deepEqual(validateMessagesRequest(body), body);
  });

  it('accepts our `route` and `fallbacks` extensions and refuses malformed ones, naming the field', () => {
    const body = minimal({ model: 'auto', route: { mode: 'economy', latency_target_ms: 800, models: ['deepseek-v3'] }, fallbacks: ['glm-4-plus'] });
    assert.deepEqual(validateMessagesRequest(structuredClone(body)), body);
    assert.equal(rejection(minimal({ route: { mode: 'cheapest' } })).param, 'route.mode');
    assert.equal(rejection(minimal({ route: { surprise: 1 } })).param, 'route');
    assert.equal(rejection(minimal({ fallbacks: 'glm-4-plus' })).param, 'fallbacks');
  });

  it('rejects the body itself when it is not a JSON object', () => {
    for (const body of [null, [], 'x', 3]) {
      const err = rejection(body);
      assert.equal(err.status, 400);
      assert.equal(err.param, null);
      assert.equal(err.message, 'The request body must be a JSON object.');
    }
  });

  const cases: [string, Record<string, unknown>, string, string][] = [
    ['missing max_tokens', { model: 'm', messages: [user('Hi')] }, 'max_tokens', 'Field required'],
    ['max_tokens 0', minimal({ max_tokens: 0 }), 'max_tokens', 'Input should be greater than or equal to 1'],
    ['fractional max_tokens', minimal({ max_tokens: 1.5 }), 'max_tokens', 'Input should be a valid integer'],
    ['missing model', { max_tokens: 5, messages: [user('Hi')] }, 'model', 'Field required'],
    ['no messages', minimal({ messages: [] }), 'messages', 'List should have at least 1 item'],
    ['unknown role', minimal({ messages: [{ role: 'bot', content: 'x' }] }), 'messages.0.role', "Input should be 'user' or 'assistant'"],
    // As Anthropic answers: the system prompt is the top-level `system`, never a turn.
    ['a system turn', minimal({ messages: [user('Hi'), { role: 'system', content: 'Be nice.' }] }), 'messages.1.role', "Input should be 'user' or 'assistant'"],
    ['content of a wrong type', minimal({ messages: [user(5)] }), 'messages.0.content', 'Input should be a valid string or a valid list'],
    ['empty user blocks', minimal({ messages: [user([])] }), 'messages.0.content', 'List should have at least 1 item'],
    ['text block without text', minimal({ messages: [user('a'), { role: 'assistant', content: 'b' }, user([{ type: 'text' }])] }), 'messages.2.content.0.text', 'Field required'],
    ['document block', minimal({ messages: [user([{ type: 'text', text: 'x' }, { type: 'document', source: {} }])] }), 'messages.0.content.1.type', "Input tag 'document' found using 'type' does not match any of the tags this gateway supports: 'text', 'image', 'tool_result', 'thinking', 'redacted_thinking'"],
    ['tool_use in a user turn', minimal({ messages: [user([{ type: 'tool_use', id: 'a', name: 'b', input: {} }])] }), 'messages.0.content.0.type', "Input tag 'tool_use' found using 'type' does not match any of the tags this gateway supports: 'text', 'image', 'tool_result', 'thinking', 'redacted_thinking'"],
    ['image from the Files API', minimal({ messages: [user([{ type: 'image', source: { type: 'file', file_id: 'file_1' } }])] }), 'messages.0.content.0.source.type', "Input tag 'file' found using 'type' does not match any of the tags this gateway supports: 'base64', 'url'"],
    ['unsupported image type', minimal({ messages: [user([{ type: 'image', source: { type: 'base64', media_type: 'image/bmp', data: 'AA' } }])] }), 'messages.0.content.0.source.media_type', "Input should be 'image/jpeg', 'image/png', 'image/gif', 'image/webp'"],
    ['tool_use input not an object', minimal({ messages: [user('x'), { role: 'assistant', content: [{ type: 'tool_use', id: 't', name: 'n', input: 'str' }] }] }), 'messages.1.content.0.input', 'Input should be a valid dictionary'],
    ['document inside a tool result', minimal({ messages: [user([{ type: 'tool_result', tool_use_id: 't', content: [{ type: 'document' }] }])] }), 'messages.0.content.0.content.0.type', "Input tag 'document' found using 'type' does not match any of the tags this gateway supports: 'text', 'image'"],
    ['temperature above 1', minimal({ temperature: 1.5 }), 'temperature', 'Input should be less than or equal to 1'],
    ['five stop sequences', minimal({ stop_sequences: ['a', 'b', 'c', 'd', 'e'] }), 'stop_sequences', 'List should have at most 4 items'],
    ['a server tool', minimal({ tools: [{ type: 'web_search_20250305', name: 'web_search', max_uses: 3 }] }), 'tools.0.type', "Tool type 'web_search_20250305' is not supported: this gateway runs custom tools only (name, description, input_schema), not Anthropic server or built-in tools"],
    ['a tool name OpenAI refuses', minimal({ tools: [{ name: 'read file', input_schema: { type: 'object' } }] }), 'tools.0.name', "String should match pattern '^[a-zA-Z0-9_-]{1,64}$'"],
    ['a tool without input_schema', minimal({ tools: [{ name: 'f' }] }), 'tools.0.input_schema', 'Field required'],
    ['tool_choice naming no tool', minimal({ tools: [{ name: 'f', input_schema: { type: 'object' } }], tool_choice: { type: 'tool', name: 'g' } }), 'tool_choice.name', "Tool 'g' not found in 'tools'"],
    ['tool_choice any without tools', minimal({ tool_choice: { type: 'any' } }), 'tool_choice.type', "tool_choice 'any' needs at least one tool in 'tools'"],
    ['thinking budget under 1024', minimal({ max_tokens: 5000, thinking: { type: 'enabled', budget_tokens: 512 } }), 'thinking.budget_tokens', 'Input should be greater than or equal to 1024'],
    ['thinking budget not under max_tokens', minimal({ max_tokens: 2000, thinking: { type: 'enabled', budget_tokens: 2000 } }), 'thinking.budget_tokens', '`max_tokens` must be greater than `thinking.budget_tokens`'],
    ['unknown thinking type', minimal({ thinking: { type: 'always' } }), 'thinking.type', "Input tag 'always' found using 'type' does not match any of the tags this gateway supports: 'enabled', 'disabled', 'adaptive'"],
  ];
  for (const [name, body, param, message] of cases) {
    it(`rejects ${name} naming ${param}`, () => {
      const err = rejection(body);
      assert.equal(err.code, 'invalid_request');
      assert.equal(err.status, 400);
      assert.equal(err.param, param);
      // Anthropic's bodies have no `param`: the message carries it.
      assert.equal(err.message, `${param}: ${message}`);
    });
  }
});

describe('validateCountTokensRequest', () => {
  it('needs no max_tokens, but checks everything else the same way', () => {
    const { max_tokens: _omit, ...body } = richRequest();
    assert.deepEqual(validateCountTokensRequest(structuredClone(body)), body);
    assert.equal(rejection(body).param, 'max_tokens');
    const err = rejection({ ...body, tools: [{ type: 'bash_20250124', name: 'bash' }] }, validateCountTokensRequest);
    assert.equal(err.param, 'tools.0.type');
  });
});

describe('toAnthropicParam', () => {
  it('joins a path with dots, numbers included', () => {
    assert.equal(toAnthropicParam(['messages', 0, 'content', 2, 'source']), 'messages.0.content.2.source');
    assert.equal(toAnthropicParam([]), null);
  });
});

describe('validateMessagesRequest caps', () => {
  const times = <T>(n: number, f: (i: number) => T): T[] => Array.from({ length: n }, (_, i) => f(i));
  const text = { type: 'text', text: 'x' };
  const tool = (name: string, input_schema: unknown = { type: 'object' }) => ({ name, input_schema });
  const nested = (depth: number): unknown => {
    let value: unknown = {};
    for (let i = 1; i < depth; i++) value = { a: value };
    return value;
  };
  /** Alternating turns, as Anthropic expects them. */
  const turns = (n: number) => times(n, (i) => (i % 2 === 0 ? user('x') : { role: 'assistant', content: 'y' }));

  const cases: [string, Record<string, unknown>, string, string][] = [
    ['10,001 turns', minimal({ messages: turns(10_001) }), 'messages', 'List should have at most 10000 items'],
    ['1,025 blocks in one turn', minimal({ messages: [user('a'), { role: 'assistant', content: 'b' }, user(times(1025, () => text))] }), 'messages.2.content', 'List should have at most 1024 items'],
    ['1,025 system blocks', minimal({ system: times(1025, () => text) }), 'system', 'List should have at most 1024 items'],
    ['1,025 tools', minimal({ tools: times(1025, (i) => tool(`t${i}`)) }), 'tools', 'List should have at most 1024 items'],
    ['a text block over 10 MiB', minimal({ messages: [user([{ type: 'text', text: 'x'.repeat(10_485_761) }])] }), 'messages.0.content.0.text', 'String should have at most 10485760 characters'],
    [
      'a tool input nested 65 levels',
      minimal({ messages: [user('a'), { role: 'assistant', content: [{ type: 'tool_use', id: 't', name: 'f', input: nested(60) }] }] }),
      `messages.1.content.0.input${'.a'.repeat(59)}`,
      'Input is nested too deeply: at most 64 levels are accepted',
    ],
  ];
  for (const [name, body, param, message] of cases) {
    it(`rejects ${name} naming ${param}`, () => {
      const err = rejection(body);
      assert.equal(err.status, 400);
      assert.equal(err.param, param);
      assert.equal(err.message, `${param}: ${message}`);
    });
  }

  it('accepts every cap exactly, and a base64 image past the string cap', () => {
    const image = { type: 'image', source: { type: 'base64', media_type: 'image/png', data: 'A'.repeat(10_485_761) } };
    const body = minimal({
      messages: [...turns(9_998), user([image, ...times(1023, () => text)]), { role: 'assistant', content: 'done' }],
      system: times(1024, () => text),
      tools: times(1024, (i) => tool(`t${i}`)),
      stop_sequences: ['a', 'b', 'c', 'd'],
    });
    assert.equal((body.messages as unknown[]).length, 10_000);
    assert.doesNotThrow(() => validateMessagesRequest(body));
  });

  /** Each hostile body is refused in a few milliseconds; 200 ms keeps CI safe. */
  const fast = (body: unknown, t: { diagnostic: (msg: string) => void }): TfError => {
    const start = performance.now();
    const err = rejection(body);
    const ms = performance.now() - start;
    t.diagnostic(`${ms.toFixed(2)} ms`);
    assert.ok(ms < 200, `took ${ms.toFixed(1)} ms`);
    return err;
  };

  it('refuses 700k tiny turns before zod walks them', (t) => {
    assert.equal(fast(minimal({ messages: turns(700_000) }), t).param, 'messages');
  });

  it('refuses a 100k-deep tool input', (t) => {
    const body = minimal({ messages: [user('a'), { role: 'assistant', content: [{ type: 'tool_use', id: 't', name: 'f', input: nested(100_000) }] }] });
    assert.match(fast(body, t).message, /nested too deeply/);
  });

  it('refuses 1M small values in tools.0.input_schema', (t) => {
    const properties = Object.fromEntries(times(1000, (i) => [`o${i}`, { type: 'object', properties: Object.fromEntries(times(500, (j) => [`p${j}`, { type: 'string' }])) }]));
    const err = fast(minimal({ tools: [tool('f', { type: 'object', properties })] }), t);
    assert.match(err.param ?? '', /^tools\.0\.input_schema\.properties\./);
    assert.match(err.message, /too many values: at most 250000/);
  });
});
