import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { validate } from '../validate';
import { responsesRequestSchema } from './responses-request.schema';
import { ResponseIds } from './response-ids';
import { normaliseInput, responsesToChatRequest } from './to-chat-request';

describe('responsesToChatRequest', () => {
  it('maps instructions, history, items, tools and formats to a chat stream request', () => {
    const req = validate(responsesRequestSchema, {
      model: 'deepseek-v3',
      instructions: 'Be brief.',
      input: [
        { role: 'user', content: [{ type: 'input_text', text: 'look' }, { type: 'input_image', image_url: 'https://x/i.png' }] },
        { type: 'reasoning', id: 'rs_1', summary: [] },
        { type: 'message', role: 'assistant', content: [{ type: 'output_text', text: 'calling' }] },
        { type: 'function_call', call_id: 'c1', name: 'f', arguments: '{"a":1}' },
        { type: 'function_call', call_id: 'c2', name: 'g', arguments: '{}' },
        { type: 'function_call_output', call_id: 'c1', output: 'one' },
        { type: 'function_call_output', call_id: 'c2', output: [{ type: 'input_text', text: 'two' }] },
      ],
      max_output_tokens: 50,
      tools: [{ type: 'function', name: 'f', parameters: { type: 'object' } }],
      tool_choice: 'auto',
      text: { format: { type: 'json_schema', name: 'x', schema: { type: 'object' }, strict: true } },
      reasoning: { effort: 'high' },
      store: true,
      metadata: { a: 'b' },
    });
    const body = responsesToChatRequest(req, [{ type: 'message', role: 'user', content: [{ type: 'input_text', text: 'earlier' }] }]);
    assert.deepEqual(body.messages, [
      { role: 'system', content: 'Be brief.' },
      { role: 'user', content: [{ type: 'text', text: 'earlier' }] },
      { role: 'user', content: [{ type: 'text', text: 'look' }, { type: 'image_url', image_url: { url: 'https://x/i.png' } }] },
      {
        role: 'assistant',
        content: 'calling',
        tool_calls: [
          { id: 'c1', type: 'function', function: { name: 'f', arguments: '{"a":1}' } },
          { id: 'c2', type: 'function', function: { name: 'g', arguments: '{}' } },
        ],
      },
      { role: 'tool', tool_call_id: 'c1', content: 'one' },
      { role: 'tool', tool_call_id: 'c2', content: 'two' },
    ]);
    assert.equal(body.max_tokens, 50);
    assert.equal(body.stream, true);
    assert.deepEqual(body.stream_options, { include_usage: true });
    assert.deepEqual(body.tools, [{ type: 'function', function: { name: 'f', parameters: { type: 'object' } } }]);
    assert.equal(body.tool_choice, 'auto');
    assert.deepEqual(body.response_format, { type: 'json_schema', json_schema: { name: 'x', schema: { type: 'object' }, strict: true } });
    assert.equal(body.reasoning_effort, 'high');
    for (const field of ['store', 'metadata', 'instructions', 'input', 'text', 'reasoning']) assert.equal(field in body, false, field);
  });

  it('a string input is one user message; stored input gets ids and typed parts', () => {
    const req = validate(responsesRequestSchema, { model: 'm', input: 'hi' });
    assert.deepEqual(responsesToChatRequest(req).messages, [{ role: 'user', content: 'hi' }]);
    const ids = new ResponseIds('a'.repeat(48));
    assert.deepEqual(normaliseInput([{ role: 'user', content: 'hi' }, { type: 'function_call_output', call_id: 'c', output: 'x', id: 'mine' }], ids), [
      { type: 'message', role: 'user', content: [{ type: 'input_text', text: 'hi' }], id: `msg_${'a'.repeat(48)}_in0` },
      { type: 'function_call_output', call_id: 'c', output: 'x', id: 'mine', status: 'completed' },
    ]);
  });

  it('carries images of tool results after the run of tool messages, as chat allows them only in user messages', () => {
    const img = (url: string) => ({ type: 'input_image', image_url: url, detail: 'low' });
    const req = validate(responsesRequestSchema, {
      model: 'm',
      input: [
        { type: 'function_call', call_id: 'c1', name: 'shot', arguments: '{}' },
        { type: 'function_call', call_id: 'c2', name: 'shot', arguments: '{}' },
        { type: 'function_call_output', call_id: 'c1', output: [{ type: 'input_text', text: 'first' }, img('data:image/png;base64,AAAA')] },
        { type: 'function_call_output', call_id: 'c2', output: [img('https://x/2.png')] },
        { role: 'user', content: 'what do you see?' },
      ],
    });
    const messages = responsesToChatRequest(req).messages as Record<string, unknown>[];
    assert.deepEqual(messages.map((m) => m.role), ['assistant', 'tool', 'tool', 'user', 'user']);
    assert.deepEqual(messages[1], { role: 'tool', tool_call_id: 'c1', content: 'first' });
    assert.deepEqual(messages[2], { role: 'tool', tool_call_id: 'c2', content: '' });
    assert.deepEqual(messages[3], {
      role: 'user',
      content: [
        { type: 'text', text: 'The images returned by the tool call c1:' },
        { type: 'image_url', image_url: { url: 'data:image/png;base64,AAAA', detail: 'low' } },
        { type: 'image_url', image_url: { url: 'https://x/2.png', detail: 'low' } },
      ],
    });
  });
});
