import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import type { Message } from '@anthropic-ai/sdk/resources/messages';
import type { TokenUsage } from '@tokenflow/contracts';
import { CompletionAssembler, estimateCompletionTokens } from '@tokenflow/openai';
import { toAnthropicMessage } from './anthropic-message';
import { MessageStreamEncoder } from './message-stream.encoder';
import { chunk, sdkClient, SDK_PARAMS, sdkFinalMessage, toolDelta } from './stream.fixture';

const chunks = [
  chunk({ role: 'assistant', reasoning_content: 'Two lookups.' }),
  chunk({ content: 'Checking ' }),
  chunk({ content: 'both.' }),
  toolDelta(0, { name: 'get_weather', arguments: '{"city":' }, 'call_A'),
  toolDelta(1, { name: 'get_time', arguments: '' }, 'call_B'),
  toolDelta(0, { arguments: '"Paris"}' }),
  toolDelta(1, { arguments: '{"tz":"CET"}' }),
  chunk({}, 'tool_calls'),
];
const usage: TokenUsage = {
  prompt_tokens: 120,
  completion_tokens: 45,
  total_tokens: 165,
  prompt_tokens_details: { cached_tokens: 100 },
  completion_tokens_details: { reasoning_tokens: 7 },
};

function assembled(parts: Record<string, unknown>[], u: TokenUsage | null): Record<string, unknown> {
  const a = new CompletionAssembler();
  for (const c of parts) a.add(c);
  return a.result(u);
}

describe('toAnthropicMessage', () => {
  const expected: Message = {
    id: 'msg_req_9',
    type: 'message',
    role: 'assistant',
    model: 'claude-sonnet-4-5',
    content: [
      { type: 'thinking', thinking: 'Two lookups.', signature: '' },
      { type: 'text', text: 'Checking both.', citations: null },
      { type: 'tool_use', id: 'call_A', name: 'get_weather', input: { city: 'Paris' }, caller: { type: 'direct' } },
      { type: 'tool_use', id: 'call_B', name: 'get_time', input: { tz: 'CET' }, caller: { type: 'direct' } },
    ],
    stop_reason: 'tool_use',
    stop_sequence: null,
    stop_details: null,
    container: null,
    diagnostics: null,
    usage: {
      input_tokens: 20,
      cache_read_input_tokens: 100,
      cache_creation_input_tokens: 0,
      cache_creation: null,
      output_tokens: 45,
      output_tokens_details: { thinking_tokens: 7 },
      server_tool_use: null,
      service_tier: null,
      inference_geo: null,
      speed: null,
    },
  };

  it('builds the non-stream Message from the assembled completion: thinking, text, tool_use with parsed input', () => {
    assert.deepEqual(toAnthropicMessage(assembled(chunks, usage), { id: 'req_9', model: 'claude-sonnet-4-5' }), expected);
  });

  it('is the same Message the SDK accumulates from the stream of the same chunks', async () => {
    const enc = new MessageStreamEncoder({ id: 'req_9', model: 'claude-sonnet-4-5', inputTokensEstimate: 1 });
    const sse = chunks.map((c) => enc.push(c)).join('') + enc.finish(usage);
    assert.deepEqual(await sdkFinalMessage(sse), expected);
  });

  it('reaches an SDK client unchanged', async () => {
    const body = JSON.stringify(toAnthropicMessage(assembled(chunks, usage), { id: 'req_9', model: 'claude-sonnet-4-5' }));
    const message = await sdkClient(200, body, 'application/json').messages.create(SDK_PARAMS);
    assert.deepEqual(JSON.parse(JSON.stringify(message)), expected);
  });

  it('maps stop reasons, keeps the completion id, estimates missing usage and turns bad arguments into {}', () => {
    const truncated = assembled([toolDelta(0, { name: 'write', arguments: '{"path":"a.txt","te' }, 'call_1'), chunk({}, 'length')], null);
    const m = toAnthropicMessage(truncated, { model: 'claude-x', inputTokensEstimate: 33 });
    assert.equal(m.id, 'msg_7');
    assert.equal(m.stop_reason, 'max_tokens');
    assert.deepEqual(m.content, [{ type: 'tool_use', id: 'call_1', name: 'write', input: {}, caller: { type: 'direct' } }]);
    assert.equal(m.usage.input_tokens, 33);
    assert.equal(m.usage.output_tokens, estimateCompletionTokens('{"path":"a.txt","te'));

    const refused = toAnthropicMessage(assembled([chunk({ refusal: 'I cannot help with that.' }, 'content_filter')], null), { id: 'msg_x', model: 'm' });
    assert.equal(refused.id, 'msg_x');
    assert.equal(refused.stop_reason, 'refusal');
    assert.deepEqual(refused.content, [{ type: 'text', text: 'I cannot help with that.', citations: null }]);

    // Some providers end tool calls with `stop`; Anthropic clients run tools only on `tool_use`.
    const stopped = toAnthropicMessage(assembled([toolDelta(0, { name: 'ls', arguments: '{}' }, 'call_2'), chunk({}, 'stop')], null), { id: 'r', model: 'm' });
    assert.equal(stopped.stop_reason, 'tool_use');

    const empty = toAnthropicMessage(assembled([chunk({ role: 'assistant', content: '' }, 'stop')], null), { id: 'r', model: 'm' });
    assert.deepEqual([empty.content, empty.stop_reason], [[], 'end_turn']);
  });
});
