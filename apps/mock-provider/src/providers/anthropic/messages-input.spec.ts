import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { countPromptTokens } from '../../completion/token-counter';
import { countInputTokens, messagesPlanInput } from './messages-input';
import { parseMessagesRequest } from './messages-request';

const request = (extra: Record<string, unknown>) =>
  parseMessagesRequest({ model: 'claude', max_tokens: 100, messages: [{ role: 'user', content: 'Say hello' }], ...extra });

describe('messagesPlanInput', () => {
  it('counts a conversation exactly as its OpenAI form: the system prompt is one more message', () => {
    const openai = countPromptTokens([
      { role: 'system', content: 'be brief' },
      { role: 'user', content: 'Say hello' },
    ]);
    assert.equal(messagesPlanInput(request({ system: 'be brief' })).promptTokens, openai);
    assert.equal(messagesPlanInput(request({ system: [{ type: 'text', text: 'be brief' }] })).promptTokens, openai);
    assert.equal(countInputTokens(request({ system: 'be brief' })), openai);
  });

  it('counts images as images, tool calls by their JSON and tool results by their text', () => {
    const messages = [
      { role: 'user', content: [{ type: 'text', text: 'What is ' }, { type: 'image', source: {} }, { type: 'text', text: 'this?' }] },
      { role: 'assistant', content: [{ type: 'tool_use', id: 't1', name: 'f', input: { a: 1 } }] },
      { role: 'user', content: [{ type: 'tool_result', tool_use_id: 't1', content: [{ type: 'text', text: 'result' }] }] },
    ];
    const openai = countPromptTokens([
      { role: 'user', content: [{ type: 'text', text: 'What is ' }, { type: 'image_url' }, { type: 'text', text: 'this?' }] },
      { role: 'assistant', content: '{"a":1}' },
      { role: 'user', content: 'result' },
    ]);
    assert.equal(messagesPlanInput(request({ messages })).promptTokens, openai);
  });

  it('maps tool_choice onto the shared tool selection', () => {
    const tools = ['a', 'b', 'c'].map((name) => ({ name, input_schema: { type: 'object', properties: { q: { type: 'string' } } } }));
    const names = (extra: Record<string, unknown>) => messagesPlanInput(request({ tools, ...extra })).tools.map((t) => t.name);
    assert.deepEqual(names({}), ['a', 'b']);
    assert.deepEqual(names({ tool_choice: { type: 'auto', disable_parallel_tool_use: true } }), ['a']);
    assert.deepEqual(names({ tool_choice: { type: 'tool', name: 'c' } }), ['c']);
    assert.deepEqual(names({ tool_choice: { type: 'none' } }), []);
    assert.deepEqual(messagesPlanInput(request({ tools })).tools[0].parameters, tools[0].input_schema);
  });

  it('carries max_tokens, stop sequences, thinking and Anthropic id prefixes', () => {
    const input = messagesPlanInput(
      parseMessagesRequest({
        model: 'c',
        max_tokens: 4000,
        messages: [{ role: 'user', content: 'x' }],
        stop_sequences: ['END'],
        thinking: { type: 'enabled', budget_tokens: 2000 },
      }),
    );
    assert.deepEqual(
      [input.maxTokens, input.stopSequences, input.reasoning, input.n, input.idPrefix, input.toolCallIdPrefix],
      [4000, ['END'], true, 1, 'msg_', 'toolu_'],
    );
  });
});
