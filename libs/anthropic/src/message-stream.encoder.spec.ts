import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { APIError } from '@anthropic-ai/sdk';
import type { Message, MessageDeltaUsage, RawContentBlockStartEvent, RawMessageStreamEvent, Usage } from '@anthropic-ai/sdk/resources/messages';
import { estimateCompletionTokens } from '@tokenflow/openai';
import type { AnthropicStreamEvent } from './anthropic-sse';
import { MessageStreamEncoder } from './message-stream.encoder';
import { chunk, parseSse, SDK_PARAMS, sdkClient, sdkFinalMessage, toolDelta } from './stream.fixture';

const OPTS = { id: 'req_7f3a', model: 'claude-sonnet-4-5', inputTokensEstimate: 21 };

function encode(chunks: Record<string, unknown>[], finish: Parameters<MessageStreamEncoder['finish']>): string {
  const enc = new MessageStreamEncoder(OPTS);
  return chunks.map((c) => enc.push(c)).join('') + enc.finish(...finish);
}

// Expected events, typed by the SDK: tsc checks every shape below against Anthropic's own types.
const startUsage: Usage = {
  input_tokens: 21,
  output_tokens: 0,
  cache_read_input_tokens: 0,
  cache_creation_input_tokens: 0,
  cache_creation: null,
  output_tokens_details: null,
  server_tool_use: null,
  service_tier: null,
  inference_geo: null,
  speed: null,
};
const messageStart: RawMessageStreamEvent = {
  type: 'message_start',
  message: {
    id: 'msg_req_7f3a',
    type: 'message',
    role: 'assistant',
    model: 'claude-sonnet-4-5',
    content: [],
    stop_reason: null,
    stop_sequence: null,
    stop_details: null,
    container: null,
    diagnostics: null,
    usage: startUsage,
  },
};
const opening: AnthropicStreamEvent[] = [messageStart, { type: 'ping' }];
const blockStart = (index: number, content_block: RawContentBlockStartEvent['content_block']): RawMessageStreamEvent => ({ type: 'content_block_start', index, content_block });
const textStart = (index: number) => blockStart(index, { type: 'text', text: '', citations: null });
const text = (index: number, t: string): RawMessageStreamEvent => ({ type: 'content_block_delta', index, delta: { type: 'text_delta', text: t } });
const thinking = (index: number, t: string): RawMessageStreamEvent => ({ type: 'content_block_delta', index, delta: { type: 'thinking_delta', thinking: t } });
const toolStart = (index: number, id: string, name: string) => blockStart(index, { type: 'tool_use', id, name, input: {}, caller: { type: 'direct' } });
const json = (index: number, partial_json: string): RawMessageStreamEvent => ({ type: 'content_block_delta', index, delta: { type: 'input_json_delta', partial_json } });
const stop = (index: number): RawMessageStreamEvent => ({ type: 'content_block_stop', index });
function closing(stop_reason: 'end_turn' | 'tool_use' | 'max_tokens' | 'refusal', usage: Partial<MessageDeltaUsage>): AnthropicStreamEvent[] {
  const full: MessageDeltaUsage = { cache_creation_input_tokens: 0, cache_read_input_tokens: 0, input_tokens: 0, output_tokens: 0, output_tokens_details: null, server_tool_use: null, ...usage };
  return [{ type: 'message_delta', delta: { stop_reason, stop_sequence: null, stop_details: null, container: null }, usage: full }, { type: 'message_stop' }];
}

describe('MessageStreamEncoder', () => {
  it('streams a text answer in exactly Anthropic’s event sequence', () => {
    const sse = encode([chunk({ role: 'assistant', content: '' }), chunk({ content: 'Hello' }), chunk({ content: ', world' }), chunk({}, 'stop')], [
      { prompt_tokens: 25, completion_tokens: 4, total_tokens: 29 },
    ]);
    assert.deepEqual(parseSse(sse), [
      ...opening,
      textStart(0),
      text(0, 'Hello'),
      text(0, ', world'),
      stop(0),
      ...closing('end_turn', { input_tokens: 25, output_tokens: 4 }),
    ]);
  });

  it('opens a thinking block for reasoning and closes it before the text; cached and reasoning tokens reported', () => {
    const sse = encode([chunk({ role: 'assistant', reasoning_content: 'Let me' }), chunk({ reasoning_content: ' think.' }), chunk({ content: 'Answer.' }), chunk({}, 'stop')], [
      { prompt_tokens: 40, completion_tokens: 30, total_tokens: 70, prompt_tokens_details: { cached_tokens: 32 }, completion_tokens_details: { reasoning_tokens: 12 } },
    ]);
    assert.deepEqual(parseSse(sse), [
      ...opening,
      blockStart(0, { type: 'thinking', thinking: '', signature: '' }),
      thinking(0, 'Let me'),
      thinking(0, ' think.'),
      stop(0),
      textStart(1),
      text(1, 'Answer.'),
      stop(1),
      // OpenAI counts cached tokens inside prompt_tokens; Anthropic's input_tokens excludes them.
      ...closing('end_turn', { input_tokens: 8, cache_read_input_tokens: 32, output_tokens: 30, output_tokens_details: { thinking_tokens: 12 } }),
    ]);
  });

  const interleaved = [
    chunk({ role: 'assistant', content: 'Checking both.' }),
    toolDelta(0, { name: 'get_weather', arguments: '' }, 'call_A'),
    toolDelta(1, { name: 'get_time', arguments: '' }, 'call_B'),
    toolDelta(0, { arguments: '{"city":' }),
    toolDelta(1, { arguments: '{"tz":' }),
    toolDelta(0, { arguments: '"Paris"}' }),
    toolDelta(1, { arguments: '"CET"}' }),
    chunk({}, 'tool_calls'),
  ];

  it('gives each tool call its own block, in order, even when their argument fragments interleave', () => {
    const sse = encode(interleaved, [{ prompt_tokens: 50, completion_tokens: 20, total_tokens: 70 }]);
    assert.deepEqual(parseSse(sse), [
      ...opening,
      textStart(0),
      text(0, 'Checking both.'),
      stop(0),
      toolStart(1, 'call_A', 'get_weather'),
      json(1, '{"city":'),
      json(1, '"Paris"}'),
      stop(1),
      // call_B waited for call_A's arguments to complete; what it received meanwhile comes in one piece.
      toolStart(2, 'call_B', 'get_time'),
      json(2, '{"tz":'),
      json(2, '"CET"}'),
      stop(2),
      ...closing('tool_use', { input_tokens: 50, output_tokens: 20 }),
    ]);
  });

  it('is read by the official SDK into the Message the stream describes', async () => {
    const sse = encode(interleaved, [{ prompt_tokens: 50, completion_tokens: 20, total_tokens: 70, prompt_tokens_details: { cached_tokens: 10 } }]);
    const expected: Message = {
      id: 'msg_req_7f3a',
      type: 'message',
      role: 'assistant',
      model: 'claude-sonnet-4-5',
      content: [
        { type: 'text', text: 'Checking both.', citations: null },
        { type: 'tool_use', id: 'call_A', name: 'get_weather', input: { city: 'Paris' }, caller: { type: 'direct' } },
        { type: 'tool_use', id: 'call_B', name: 'get_time', input: { tz: 'CET' }, caller: { type: 'direct' } },
      ],
      stop_reason: 'tool_use',
      stop_sequence: null,
      stop_details: null,
      container: null,
      diagnostics: null,
      usage: { ...startUsage, input_tokens: 40, cache_read_input_tokens: 10, output_tokens: 20 },
    };
    assert.deepEqual(await sdkFinalMessage(sse), expected);
  });

  it('streams sequential tool calls live, fragment by fragment, and several complete calls in one chunk', () => {
    const enc = new MessageStreamEncoder(OPTS);
    enc.start();
    assert.deepEqual(parseSse(enc.push(toolDelta(0, { name: 'ls', arguments: '' }, 'call_1'))), [toolStart(0, 'call_1', 'ls')]);
    assert.deepEqual(parseSse(enc.push(toolDelta(0, { arguments: '{"dir":' }))), [json(0, '{"dir":')]);
    assert.deepEqual(parseSse(enc.push(toolDelta(0, { arguments: '"/"}' }))), [json(0, '"/"}')]);
    assert.deepEqual(parseSse(enc.push(toolDelta(1, { name: 'pwd', arguments: '{}' }, 'call_2'))), [stop(0), toolStart(1, 'call_2', 'pwd'), json(1, '{}')]);
    const both = chunk({
      tool_calls: [
        { index: 2, id: 'call_3', type: 'function', function: { name: 'a', arguments: '{"x":1}' } },
        { index: 3, id: 'call_4', type: 'function', function: { name: 'b', arguments: '{"y":2}' } },
      ],
    });
    assert.deepEqual(parseSse(enc.push(both)), [stop(1), toolStart(2, 'call_3', 'a'), json(2, '{"x":1}'), stop(2), toolStart(3, 'call_4', 'b'), json(3, '{"y":2}')]);
  });

  it('flushes a call still waiting at the end, and invents an id when the provider sent none', () => {
    // Call 0 never gets complete JSON (cut by max_tokens), so call 1 only opens at finish.
    const sse = encode([toolDelta(0, { name: 'f', arguments: '{"a":' }, 'call_1'), toolDelta(1, { name: 'g', arguments: '{}' }), chunk({}, 'length')], [null]);
    const events = parseSse(sse);
    assert.deepEqual(events.slice(2, 8), [toolStart(0, 'call_1', 'f'), json(0, '{"a":'), stop(0), toolStart(1, 'toolu_req_7f3a_1', 'g'), json(1, '{}'), stop(1)]);
    assert.deepEqual(events.slice(8, 9), closing('max_tokens', { input_tokens: 21, output_tokens: estimateCompletionTokens('{"a":{}') }).slice(0, 1));
  });

  it('without final usage, takes a usage chunk, else estimates', () => {
    const usageChunk = { id: 'c', object: 'chat.completion.chunk', created: 1, model: 'm', choices: [], usage: { prompt_tokens: 9, completion_tokens: 3, total_tokens: 12 } };
    const withChunk = parseSse(encode([chunk({ content: 'Hi there' }), chunk({}, 'stop'), usageChunk], [null]));
    assert.deepEqual(withChunk.at(-2), closing('end_turn', { input_tokens: 9, output_tokens: 3 })[0]);
    const estimated = parseSse(encode([chunk({ reasoning_content: 'Hmm.' }), chunk({ content: 'Hi there' }), chunk({}, 'stop')], [undefined]));
    assert.deepEqual(estimated.at(-2), closing('end_turn', { input_tokens: 21, output_tokens: estimateCompletionTokens('Hmm.Hi there') })[0]);
  });

  it('maps finish reasons, lets an explicit one win, and reports tool_use whenever tools were called', () => {
    const reason = (chunks: Record<string, unknown>[], finishReason?: string) => {
      const events = parseSse(encode(chunks, [null, finishReason]));
      const delta = events.at(-2);
      assert.ok(delta?.type === 'message_delta');
      return delta.delta.stop_reason;
    };
    assert.equal(reason([chunk({ content: 'x' }, 'stop')]), 'end_turn');
    assert.equal(reason([chunk({ content: 'x' }, 'length')]), 'max_tokens');
    assert.equal(reason([chunk({ content: 'x' }, 'content_filter')]), 'refusal');
    assert.equal(reason([toolDelta(0, { name: 'f', arguments: '{}' }, 'c'), chunk({}, 'tool_calls')]), 'tool_use');
    assert.equal(reason([toolDelta(0, { name: 'f', arguments: '{}' }, 'c'), chunk({}, 'stop')]), 'tool_use');
    assert.equal(reason([chunk({ content: 'x' }, 'stop')], 'length'), 'max_tokens');
    assert.equal(reason([chunk({ content: 'x' })]), 'end_turn');
  });

  it('streams a refusal as text, and reads only choice 0 wherever it is in the list', () => {
    const twoChoices = { ...chunk({}), choices: [1, 0, 2].map((index) => ({ index, delta: { content: 'ABC'[index] }, finish_reason: null })) };
    const sse = encode([twoChoices, chunk({ refusal: ' I cannot help.' }, 'content_filter')], [{ prompt_tokens: 3, completion_tokens: 2, total_tokens: 5 }]);
    assert.deepEqual(parseSse(sse), [...opening, textStart(0), text(0, 'A'), text(0, ' I cannot help.'), stop(0), ...closing('refusal', { input_tokens: 3, output_tokens: 2 })]);
  });

  it('ends an empty answer properly and starts only once', () => {
    const enc = new MessageStreamEncoder(OPTS);
    assert.deepEqual(parseSse(enc.start()), opening);
    assert.equal(enc.start(), '');
    assert.equal(enc.push(chunk({ role: 'assistant', content: '' })), '');
    assert.deepEqual(parseSse(enc.finish({ prompt_tokens: 5, completion_tokens: 0, total_tokens: 5 }, 'stop')), closing('end_turn', { input_tokens: 5 }));
    assert.equal(enc.push(chunk({ content: 'late' })), '');
    assert.equal(enc.finish(null), '');
    assert.equal(enc.ping(), '');
  });

  it('writes frames byte for byte as Anthropic does', () => {
    const enc = new MessageStreamEncoder(OPTS);
    assert.equal(enc.ping(), 'event: ping\ndata: {"type":"ping"}\n\n');
    enc.start();
    assert.equal(
      enc.push(chunk({ content: 'Hi' })),
      'event: content_block_start\ndata: {"type":"content_block_start","index":0,"content_block":{"type":"text","text":"","citations":null}}\n\n' +
        'event: content_block_delta\ndata: {"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"Hi"}}\n\n',
    );
  });

  it('reports a failure mid-stream as an error event the SDK raises, and nothing after it', async () => {
    const enc = new MessageStreamEncoder(OPTS);
    const sse = enc.push(chunk({ content: 'Partial' })) + enc.error({ status: 503, code: 'no_available_channel', message: 'No channel can serve this model now.' });
    assert.deepEqual(parseSse(sse).slice(-1), [{ type: 'error', error: { type: 'overloaded_error', message: 'No channel can serve this model now.' } }]);
    assert.equal(enc.finish(null), '');
    assert.equal(enc.error({ status: 500, message: 'again' }), '');

    const stream = await sdkClient(200, sse, 'text/event-stream').messages.create({ ...SDK_PARAMS, stream: true });
    const seen: string[] = [];
    await assert.rejects(
      (async () => {
        for await (const event of stream) seen.push(event.type);
      })(),
      (err: unknown) => err instanceof APIError && err.type === 'overloaded_error' && err.message.includes('No channel can serve this model now.'),
    );
    assert.deepEqual(seen, ['message_start', 'content_block_start', 'content_block_delta']);
  });

  // Regression: each fragment re-parsed the live call's whole arguments (JSON.parse) while another call waited.
  it('streams a long tool call, with another one waiting, in linear time', () => {
    const enc = new MessageStreamEncoder(OPTS);
    enc.start();
    enc.push(toolDelta(0, { name: 'write', arguments: '{"text":"' }, 'call_1'));
    enc.push(toolDelta(1, { name: 'ls', arguments: '{}' }, 'call_2'));
    const n = 32_000;
    const started = performance.now();
    for (let i = 0; i < n; i++) assert.equal(parseSse(enc.push(toolDelta(0, { arguments: 'abcdefghijklmnopqrstuvwxyz \\"{[' }))).length, 1);
    const last = parseSse(enc.push(toolDelta(0, { arguments: '"}' })));
    const ms = performance.now() - started;
    // Complete at last: call_1's block closes and the waiting call_2 opens with what it had.
    assert.deepEqual(last, [json(0, '"}'), stop(0), toolStart(1, 'call_2', 'ls'), json(1, '{}')]);
    assert.ok(ms < 1_000, `took ${ms.toFixed(1)} ms`);
  });

  // Regression: every fragment walked all tool calls seen so far looking for waiting ones.
  it('opens 20k sequential tool calls in linear time', () => {
    const enc = new MessageStreamEncoder(OPTS);
    enc.start();
    const n = 20_000;
    const started = performance.now();
    for (let i = 0; i < n; i++) enc.push(toolDelta(i, { name: 'f', arguments: '{}' }, `call_${i}`));
    const events = parseSse(enc.finish({ prompt_tokens: 1, completion_tokens: 1, total_tokens: 2 }));
    const ms = performance.now() - started;
    assert.deepEqual(events[0], stop(n - 1));
    assert.ok(ms < 500, `took ${ms.toFixed(1)} ms`);
  });

  it('keeps a call waiting while the streamed one is open, a closing bracket inside a string included', () => {
    const enc = new MessageStreamEncoder(OPTS);
    enc.start();
    enc.push(toolDelta(0, { name: 'f', arguments: '{"s":"}"' }, 'call_1'));
    // The `}` inside the string does not complete call_1, so call_2 waits.
    assert.equal(enc.push(toolDelta(1, { name: 'g', arguments: '[]' }, 'call_2')), '');
    assert.deepEqual(parseSse(enc.push(toolDelta(0, { arguments: ' }' }))), [json(0, ' }'), stop(0), toolStart(1, 'call_2', 'g'), json(1, '[]')]);
  });
});
