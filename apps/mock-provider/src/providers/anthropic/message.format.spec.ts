import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import type { CompletionPlan } from '../../completion/completion-plan';
import { ANTHROPIC_SSE, buildMessage, messageFrames } from './message.format';

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

const plan = (overrides: Partial<CompletionPlan> = {}): CompletionPlan => ({
  id: 'msg_test',
  created: 1_700_000_000,
  model: 'claude-x',
  n: 1,
  reasoning: [],
  content: ['hello ', 'world'],
  toolCalls: [],
  finishReason: 'stop',
  usage: {
    prompt_tokens: 10,
    completion_tokens: 2,
    total_tokens: 12,
    prompt_tokens_details: { cached_tokens: 4 },
    completion_tokens_details: { reasoning_tokens: 0 },
  },
  ...overrides,
});

function events(p: CompletionPlan, includeUsage = true): { event: string; data: Json }[] {
  return messageFrames(p, includeUsage).map((frame) => {
    const match = /^event: (\w+)\ndata: (.*)\n\n$/s.exec(frame.text);
    assert.ok(match, frame.text);
    const data = JSON.parse(match[2]) as Json;
    assert.equal(data.type, match[1], 'the event name repeats the type');
    return { event: match[1], data };
  });
}

describe('Anthropic message format', () => {
  it('streams the exact event sequence of a text answer', () => {
    const all = events(plan());
    assert.deepEqual(
      all.map((e) => e.event),
      ['message_start', 'content_block_start', 'ping', 'content_block_delta', 'content_block_delta', 'content_block_stop', 'message_delta', 'message_stop'],
    );
    assert.deepEqual(all[0].data.message, {
      id: 'msg_test',
      type: 'message',
      role: 'assistant',
      model: 'claude-x',
      content: [],
      stop_reason: null,
      stop_sequence: null,
      usage: { input_tokens: 6, cache_creation_input_tokens: 0, cache_read_input_tokens: 4, output_tokens: 1 },
    });
    assert.deepEqual(all[1].data, { type: 'content_block_start', index: 0, content_block: { type: 'text', text: '' } });
    assert.deepEqual(all[3].data.delta, { type: 'text_delta', text: 'hello ' });
    assert.deepEqual(all[6].data, {
      type: 'message_delta',
      delta: { stop_reason: 'end_turn', stop_sequence: null },
      usage: { input_tokens: 6, cache_creation_input_tokens: 0, cache_read_input_tokens: 4, output_tokens: 2 },
    });
  });

  it('paces only the deltas that carry tokens', () => {
    assert.deepEqual(
      messageFrames(plan({ reasoning: ['hmm'] }), true).map((f) => f.role),
      ['head', 'head', 'head', 'token', 'tail', 'tail', 'head', 'token', 'token', 'tail', 'tail', 'tail'],
    );
  });

  it('thinks in a block of its own, signed, before the text', () => {
    const all = events(plan({ reasoning: ['let ', 'me think'] }));
    const deltas = all.filter((e) => e.event === 'content_block_delta').map((e) => [e.data.index, e.data.delta.type]);
    assert.deepEqual(deltas, [
      [0, 'thinking_delta'],
      [0, 'thinking_delta'],
      [0, 'signature_delta'],
      [1, 'text_delta'],
      [1, 'text_delta'],
    ]);
    assert.deepEqual(all[1].data.content_block, { type: 'thinking', thinking: '', signature: '' });
    const message = buildMessage(plan({ reasoning: ['let ', 'me think'] }), true);
    assert.equal(message.content[0].type, 'thinking');
    assert.deepEqual(message.content[0], { type: 'thinking', thinking: 'let me think', signature: all[5].data.delta.signature });
  });

  it('streams tool calls as tool_use blocks whose input_json_delta fragments rebuild the input', () => {
    const p = plan({
      content: [],
      finishReason: 'tool_calls',
      toolCalls: [{ id: 'toolu_1', name: 'get_weather', arguments: '{"city":"mock","days":42}' }],
    });
    const all = events(p);
    assert.deepEqual(all[1].data.content_block, { type: 'tool_use', id: 'toolu_1', name: 'get_weather', input: {} });
    const json = all
      .filter((e) => e.data.delta?.type === 'input_json_delta')
      .map((e) => e.data.delta.partial_json as string)
      .join('');
    assert.deepEqual(JSON.parse(json), { city: 'mock', days: 42 });
    assert.equal(all.at(-2)!.data.delta.stop_reason, 'tool_use');
    assert.deepEqual(buildMessage(p, true).content, [{ type: 'tool_use', id: 'toolu_1', name: 'get_weather', input: { city: 'mock', days: 42 } }]);
  });

  it('names the stop sequence that ended the text, and max_tokens when the cap did', () => {
    assert.deepEqual(
      [buildMessage(plan({ stopSequence: 'END' }), true).stop_reason, buildMessage(plan({ stopSequence: 'END' }), true).stop_sequence],
      ['stop_sequence', 'END'],
    );
    assert.equal(buildMessage(plan({ finishReason: 'length' }), true).stop_reason, 'max_tokens');
  });

  it('renders a plain message with usage, and none under usage=none', () => {
    assert.deepEqual(buildMessage(plan(), true), {
      id: 'msg_test',
      type: 'message',
      role: 'assistant',
      model: 'claude-x',
      content: [{ type: 'text', text: 'hello world' }],
      stop_reason: 'end_turn',
      stop_sequence: null,
      usage: { input_tokens: 6, cache_creation_input_tokens: 0, cache_read_input_tokens: 4, output_tokens: 2, service_tier: 'standard' },
    });
    assert.ok(!('usage' in buildMessage(plan(), false)));
    assert.ok(events(plan(), false).every((e) => !('usage' in e.data) && !('usage' in (e.data.message ?? {}))));
  });

  it('breaks with an error event, or a cut JSON, and never ends with [DONE]', () => {
    assert.equal(ANTHROPIC_SSE.done, undefined);
    assert.match(ANTHROPIC_SSE.error(), /^event: error\n/);
    assert.throws(() => JSON.parse(ANTHROPIC_SSE.malformed.split('data: ')[1]), SyntaxError);
  });
});
