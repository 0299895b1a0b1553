import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { TfError } from '@tokenflow/contracts';
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

  it('accepts a string prompt, adaptive thinking, system turns and Anthropic-only fields it ignores', () => {
    const body = minimal({
      thinking: { type: 'adaptive' },
      output_config: { effort: 'max' },
      service_tier: 'auto',
      container: null,
      cache_control: { type: 'ephemeral' },
      messages: [{ role: 'system', content: 'Be nice.' }, user('Hi'), { role: 'assistant', content: 'Hello' }, user('Again')],
    });
    assert.deepEqual(validateMessagesRequest(body), body);
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
    ['unknown role', minimal({ messages: [{ role: 'bot', content: 'x' }] }), 'messages.0.role', "Input tag 'bot' found using 'role' does not match any of the tags this gateway supports: 'user', 'assistant', 'system'"],
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
