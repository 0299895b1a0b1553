import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { chatRequestSchema, validate } from '@tokenflow/openai';
import { PNG, richRequest } from './conversation.fixture';
import { validateMessagesRequest } from './messages-request.validate';
import { budgetToReasoningEffort, toChatRequest } from './to-chat-request';

/** Validated then translated, as ingress does; the result must be a body the OpenAI pipeline accepts as is. */
function translate(body: unknown): Record<string, unknown> {
  const out = toChatRequest(validateMessagesRequest(body));
  assert.deepEqual(validate(chatRequestSchema, structuredClone(out)), out, 'the OpenAI schema must accept the body unchanged');
  return out;
}

const base = { model: 'claude-haiku-4-5', max_tokens: 64, messages: [{ role: 'user', content: 'Hi' }] };
const tool = (name: string) => ({ name, input_schema: { type: 'object', properties: {} } });

describe('toChatRequest', () => {
  it('translates a rich conversation: system, images, tool calls and results, tools, choice, thinking, sampling', () => {
    assert.deepEqual(translate(richRequest()), {
      model: 'claude-sonnet-4-5',
      messages: [
        { role: 'system', content: 'You are a coding agent.\n\nAnswer briefly.' },
        {
          role: 'user',
          content: [
            { type: 'text', text: 'What is in these pictures? Then read config.json.' },
            { type: 'image_url', image_url: { url: `data:image/png;base64,${PNG}` } },
            { type: 'image_url', image_url: { url: 'https://example.com/cat.jpg' } },
          ],
        },
        {
          role: 'assistant',
          content: 'A chart and a cat. Reading the file now.',
          tool_calls: [
            { id: 'toolu_01', type: 'function', function: { name: 'read_file', arguments: '{"path":"config.json"}' } },
            { id: 'toolu_02', type: 'function', function: { name: 'screenshot', arguments: '{}' } },
          ],
        },
        { role: 'tool', tool_call_id: 'toolu_01', content: 'Error: ENOENT: no such file' },
        { role: 'tool', tool_call_id: 'toolu_02', content: 'Screen captured.' },
        {
          role: 'user',
          content: [
            { type: 'text', text: 'Image(s) returned by tool call toolu_02:' },
            { type: 'image_url', image_url: { url: 'data:image/jpeg;base64,AAAA' } },
            { type: 'text', text: 'Try settings.json instead.' },
          ],
        },
      ],
      stream: true,
      stream_options: { include_usage: true },
      max_tokens: 8_192,
      temperature: 1,
      top_p: 0.95,
      top_k: 40,
      stop: ['</answer>'],
      user: 'user-42',
      tools: [
        {
          type: 'function',
          function: {
            name: 'read_file',
            description: 'Read a file from disk.',
            parameters: { type: 'object', properties: { path: { type: 'string' } }, required: ['path'] },
          },
        },
        { type: 'function', function: { name: 'screenshot', parameters: { type: 'object', properties: {} } } },
      ],
      tool_choice: { type: 'function', function: { name: 'read_file' } },
      parallel_tool_calls: false,
      thinking: { type: 'enabled', budget_tokens: 4_096 },
      reasoning_effort: 'medium',
    });
  });

  it('sends a plain prompt as a streamed request with usage, and nothing it was not given', () => {
    assert.deepEqual(translate(base), {
      model: 'claude-haiku-4-5',
      messages: [{ role: 'user', content: 'Hi' }],
      stream: true,
      stream_options: { include_usage: true },
      max_tokens: 64,
    });
    // Even when the client does not stream: ingress assembles the Message from the stream.
    assert.equal(translate({ ...base, stream: false }).stream, true);
    // An empty system prompt is no system prompt.
    assert.deepEqual(translate({ ...base, system: [] }).messages, [{ role: 'user', content: 'Hi' }]);
  });

  it('puts the system string first, and skips assistant turns left empty', () => {
    const out = translate({
      ...base,
      system: 'Be brief.',
      messages: [
        { role: 'user', content: 'Q1' },
        { role: 'assistant', content: [{ type: 'thinking', thinking: 'hm', signature: 's' }] },
        { role: 'user', content: 'Q2' },
        { role: 'assistant', content: '' },
      ],
    });
    assert.deepEqual(out.messages, [
      { role: 'system', content: 'Be brief.' },
      { role: 'user', content: 'Q1' },
      { role: 'user', content: 'Q2' },
    ]);
  });

  it('never receives a system turn: validation refuses it as Anthropic does', () => {
    assert.throws(() => validateMessagesRequest({ ...base, messages: [{ role: 'system', content: 'Now in French.' }, ...base.messages] }), {
      message: "messages.0.role: Input should be 'user' or 'assistant'",
    });
  });

  it('sends a turn of tool results alone as tool messages, an empty failed result as "Error"', () => {
    const out = translate({
      ...base,
      tools: [tool('f')],
      messages: [
        { role: 'user', content: 'go' },
        { role: 'assistant', content: [{ type: 'tool_use', id: 't1', name: 'f', input: { a: [1, 2] } }] },
        { role: 'user', content: [{ type: 'tool_result', tool_use_id: 't1', is_error: true }] },
      ],
    });
    assert.deepEqual((out.messages as unknown[]).slice(1), [
      { role: 'assistant', content: null, tool_calls: [{ id: 't1', type: 'function', function: { name: 'f', arguments: '{"a":[1,2]}' } }] },
      { role: 'tool', tool_call_id: 't1', content: 'Error' },
    ]);
  });

  const choices: [string, unknown, Record<string, unknown>][] = [
    ['auto', { type: 'auto' }, { tool_choice: 'auto' }],
    ['auto, one call at most', { type: 'auto', disable_parallel_tool_use: true }, { tool_choice: 'auto', parallel_tool_calls: false }],
    ['any', { type: 'any' }, { tool_choice: 'required' }],
    ['any, one call', { type: 'any', disable_parallel_tool_use: true }, { tool_choice: 'required', parallel_tool_calls: false }],
    ['tool', { type: 'tool', name: 'g' }, { tool_choice: { type: 'function', function: { name: 'g' } } }],
    ['none', { type: 'none' }, { tool_choice: 'none' }],
    ['absent', undefined, {}],
  ];
  for (const [name, choice, expected] of choices) {
    it(`maps tool_choice ${name}`, () => {
      const out = translate({ ...base, tools: [tool('f'), tool('g')], tool_choice: choice });
      const { tool_choice, parallel_tool_calls } = out;
      assert.deepEqual(JSON.parse(JSON.stringify({ tool_choice, parallel_tool_calls })), expected);
    });
  }

  it('passes thinking through and derives reasoning_effort from the budget, or from output_config.effort', () => {
    const pick = (extra: Record<string, unknown>) => {
      const out = translate({ ...base, max_tokens: 64_000, ...extra });
      return JSON.parse(JSON.stringify({ thinking: out.thinking, reasoning_effort: out.reasoning_effort }));
    };
    assert.deepEqual(pick({ thinking: { type: 'enabled', budget_tokens: 1_024 } }), { thinking: { type: 'enabled', budget_tokens: 1_024 }, reasoning_effort: 'low' });
    assert.deepEqual(pick({ thinking: { type: 'enabled', budget_tokens: 31_999 } }), { thinking: { type: 'enabled', budget_tokens: 31_999 }, reasoning_effort: 'high' });
    assert.deepEqual(pick({ thinking: { type: 'disabled' } }), { thinking: { type: 'disabled' } });
    assert.deepEqual(pick({ thinking: { type: 'adaptive', display: 'summarized' } }), { thinking: { type: 'adaptive' } });
    assert.deepEqual(pick({ thinking: { type: 'adaptive' }, output_config: { effort: 'xhigh' } }), { thinking: { type: 'adaptive' }, reasoning_effort: 'high' });
    assert.deepEqual(pick({ thinking: { type: 'enabled', budget_tokens: 20_000 }, output_config: { effort: 'low' } }), {
      thinking: { type: 'enabled', budget_tokens: 20_000 },
      reasoning_effort: 'low',
    });
    assert.deepEqual(pick({}), {});
  });

  it('maps thinking budgets at the documented cut points (4,096 and 16,384)', () => {
    const table: [number, string][] = [
      [1_024, 'low'],
      [4_000, 'low'],
      [4_095, 'low'],
      [4_096, 'medium'],
      [10_000, 'medium'],
      [16_383, 'medium'],
      [16_384, 'high'],
      [31_999, 'high'],
    ];
    assert.deepEqual(
      table.map(([budget]) => [budget, budgetToReasoningEffort(budget)]),
      table,
    );
  });

  it('maps structured output and drops a null user id', () => {
    const schema = { type: 'object', properties: { ok: { type: 'boolean' } } };
    const out = translate({ ...base, output_config: { format: { type: 'json_schema', schema } }, metadata: { user_id: null } });
    assert.deepEqual(out.response_format, { type: 'json_schema', json_schema: { name: 'output', schema } });
    assert.equal('user' in out, false);
  });
});
