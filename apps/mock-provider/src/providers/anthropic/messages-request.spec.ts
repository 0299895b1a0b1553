import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { ProviderError } from '../../http/provider-error';
import { parseCountTokensRequest, parseMessagesRequest, thinks } from './messages-request';

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

const base = { model: 'claude-sonnet-4-5', max_tokens: 100, messages: [{ role: 'user', content: 'hi' }] };

function rejection(body: unknown, parse: (body: unknown) => unknown = parseMessagesRequest): string {
  try {
    parse(body);
  } catch (err) {
    assert.ok(err instanceof ProviderError);
    assert.equal(err.status, 400);
    const payload = err.body() as Json;
    assert.equal(payload.type, 'error');
    assert.equal(payload.error.type, 'invalid_request_error');
    return payload.error.message;
  }
  assert.fail('expected a 400');
}

describe('parseMessagesRequest', () => {
  it('accepts a minimal request, blocks, a system prompt and system-role messages', () => {
    assert.equal(parseMessagesRequest(base).max_tokens, 100);
    const rich = parseMessagesRequest({
      ...base,
      system: [{ type: 'text', text: 'be brief' }],
      messages: [
        { role: 'system', content: 'also this' },
        { role: 'user', content: [{ type: 'text', text: 'hi' }, { type: 'image', source: { type: 'base64', data: 'AAAA' } }] },
      ],
      metadata: { user_id: 'u' },
    });
    assert.equal(rich.messages.length, 2);
    assert.deepEqual(rich.metadata, { user_id: 'u' });
  });

  it('requires max_tokens, unlike count_tokens', () => {
    assert.equal(rejection({ model: 'c', messages: base.messages }), 'max_tokens: Field required');
    assert.doesNotThrow(() => parseCountTokensRequest({ model: 'c', messages: base.messages }));
  });

  it('reports problems as "<path>: <reason>" in pydantic words', () => {
    assert.equal(rejection({ ...base, max_tokens: 'many' }), 'max_tokens: Input should be a valid integer');
    assert.equal(rejection({ ...base, messages: [] }), 'messages: List should have at least 1 item');
    assert.equal(rejection({ ...base, messages: [{ role: 'bot', content: 'x' }] }), "messages.0.role: Input should be 'user', 'assistant' or 'system'");
    assert.equal(rejection({ ...base, messages: [{ role: 'user' }] }), 'messages.0.content: Field required');
    assert.equal(rejection([1]), 'Input should be a valid dictionary');
  });

  it('refuses null where a field is optional, as Anthropic does', () => {
    assert.equal(rejection({ ...base, system: null }), 'system: Input should be a valid string or a valid list');
    assert.equal(rejection({ ...base, stop_sequences: null }), 'stop_sequences: Input should be a valid list');
  });

  it('checks extended thinking: a budget of at least 1024, below max_tokens, and no forced tool use', () => {
    const thinking = { type: 'enabled', budget_tokens: 1024 };
    assert.equal(thinks(parseMessagesRequest({ ...base, max_tokens: 2000, thinking })), true);
    assert.equal(thinks(parseMessagesRequest({ ...base, thinking: { type: 'disabled' } })), false);
    assert.equal(rejection({ ...base, max_tokens: 2000, thinking: { type: 'enabled', budget_tokens: 100 } }), 'thinking.budget_tokens: Input should be greater than or equal to 1024');
    assert.equal(rejection({ ...base, max_tokens: 1024, thinking }), '`max_tokens` must be greater than `thinking.budget_tokens`.');
    assert.equal(rejection({ ...base, max_tokens: 2000, thinking: { type: 'enabled' } }), 'thinking.enabled.budget_tokens: Field required');
    const tools = [{ name: 'f', input_schema: { type: 'object' } }];
    assert.equal(
      rejection({ ...base, max_tokens: 2000, thinking, tools, tool_choice: { type: 'any' } }),
      'Thinking may not be enabled when tool_choice forces tool use.',
    );
  });

  it('checks tool_choice against the tools', () => {
    const tools = [{ name: 'f', input_schema: { type: 'object' } }];
    assert.equal(rejection({ ...base, tool_choice: { type: 'auto' } }), 'tool_choice may only be specified while providing tools.');
    assert.equal(rejection({ ...base, tools, tool_choice: { type: 'tool', name: 'g' } }), "tool_choice.tool.name: Tool 'g' not found in tools.");
    assert.doesNotThrow(() => parseMessagesRequest({ ...base, tools, tool_choice: { type: 'tool', name: 'f' } }));
  });
});
