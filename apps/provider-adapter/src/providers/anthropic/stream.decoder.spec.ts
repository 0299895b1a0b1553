import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { TfError } from '@tokenflow/contracts';
import type { ParsedEvent } from '../provider';
import { AnthropicStreamDecoder } from './stream.decoder';
import { OVERLOADED_ERROR_EVENT, PARALLEL_TOOLS_STREAM, sseEvents, TEXT_STREAM, THINKING_STREAM, TOOL_USE_STREAM } from '../../../test/providers/anthropic/stream.fixtures';

const NOW_MS = 1_767_225_600_123;
const CREATED = 1_767_225_600;

/** Feeds a recorded stream event by event through a fresh decoder, as the invoke service does. */
function decodeAll(stream: string): ParsedEvent[] {
  const decoder = new AnthropicStreamDecoder(() => NOW_MS);
  return sseEvents(stream).map((ev) => decoder.decode(ev.data, ev.event));
}

const chunksOf = (events: ParsedEvent[]) => events.flatMap((e) => e.chunks);

type Choice = { delta: Record<string, unknown> & { tool_calls?: Record<string, unknown>[] }; finish_reason: string | null };
const choiceOf = (c: Record<string, unknown>) => (c.choices as Choice[])[0];
const argumentsOf = (c: Record<string, unknown>) => (choiceOf(c).delta.tool_calls?.[0].function as { arguments: string }).arguments;
/** One event through a given decoder, built from its JSON. */
const feed = (d: AnthropicStreamDecoder, ev: Record<string, unknown>) => d.decode(JSON.stringify(ev), undefined);

function chunk(messageId: string, model: string, delta: Record<string, unknown>, finish_reason: string | null = null) {
  const id = `chatcmpl-${messageId.replace(/^msg_/, '')}`;
  return { id, object: 'chat.completion.chunk', created: CREATED, model, choices: [{ index: 0, delta, logprobs: null, finish_reason }] };
}

function thrown(fn: () => unknown): TfError {
  try {
    fn();
  } catch (err) {
    assert.ok(err instanceof TfError, `expected TfError, got ${String(err)}`);
    return err;
  }
  assert.fail('expected a TfError');
}

describe('AnthropicStreamDecoder: documented streams', () => {
  it('decodes the basic text stream event by event, exactly', () => {
    const id = 'msg_1nZdL29xx5MUA1yADyHTEsnR8uuvGzszyY';
    const model = 'claude-sonnet-4-5-20250929';
    const usage = { prompt_tokens: 25, completion_tokens: 15, total_tokens: 40, prompt_tokens_details: { cached_tokens: 0 } };
    assert.deepEqual(decodeAll(TEXT_STREAM), [
      { chunks: [chunk(id, model, { role: 'assistant', content: '' })] }, // message_start
      { chunks: [] }, // content_block_start (text)
      { chunks: [] }, // ping
      { chunks: [chunk(id, model, { content: 'Hello' })] },
      { chunks: [chunk(id, model, { content: '!' })] },
      { chunks: [] }, // content_block_stop
      { chunks: [chunk(id, model, {}, 'stop')], usage }, // message_delta
      { chunks: [], usage, done: true }, // message_stop
    ]);
  });

  it('numbers the tool call 0 although a text block came first, and streams its arguments', () => {
    const events = decodeAll(TOOL_USE_STREAM);
    const chunks = chunksOf(events);
    const id = 'msg_014p7gG3wDgGV9EUtLvnow3U';
    const model = 'claude-sonnet-4-5-20250929';
    const deltas = chunks.map((c) => choiceOf(c).delta);
    assert.equal(deltas.map((d) => d.content ?? '').join(''), "Okay, let's check the weather for San Francisco, CA:");

    const toolStart = chunks.find((c) => JSON.stringify(c).includes('toolu_'));
    assert.deepEqual(
      toolStart,
      chunk(id, model, { tool_calls: [{ index: 0, id: 'toolu_01T1x1fJ34qAmk2tNTrN7Up6', type: 'function', function: { name: 'get_weather', arguments: '' } }] }),
    );
    const argChunks = chunks.filter((c) => JSON.stringify(c).includes('"arguments"') && c !== toolStart);
    // The documented empty first partial_json produces no chunk.
    assert.equal(argChunks.length, 8);
    assert.deepEqual(argChunks[0], chunk(id, model, { tool_calls: [{ index: 0, function: { arguments: '{"location":' } }] }));
    const args = argChunks.map(argumentsOf).join('');
    assert.deepEqual(JSON.parse(args), { location: 'San Francisco, CA', unit: 'fahrenheit' });

    assert.deepEqual(chunks.at(-1), chunk(id, model, {}, 'tool_calls'));
    assert.deepEqual(events.at(-1), {
      chunks: [],
      usage: { prompt_tokens: 472, completion_tokens: 89, total_tokens: 561, prompt_tokens_details: { cached_tokens: 0 } },
      done: true,
    });
  });

  it('numbers parallel tool calls 0 and 1 by tool, not by content block, and counts cached input', () => {
    const events = decodeAll(PARALLEL_TOOLS_STREAM);
    const calls = chunksOf(events).flatMap((c) => choiceOf(c).delta.tool_calls ?? []);
    assert.deepEqual(calls, [
      { index: 0, id: 'toolu_01Paris', type: 'function', function: { name: 'get_weather', arguments: '' } },
      { index: 0, function: { arguments: '{"location": "Paris"}' } },
      { index: 1, id: 'toolu_01Tokyo', type: 'function', function: { name: 'get_weather', arguments: '' } },
      { index: 1, function: { arguments: '{"location":' } },
      { index: 1, function: { arguments: ' "Tokyo"}' } },
    ]);
    assert.deepEqual(events.at(-1)?.usage, {
      prompt_tokens: 120 + 2000 + 300,
      completion_tokens: 64,
      total_tokens: 120 + 2000 + 300 + 64,
      prompt_tokens_details: { cached_tokens: 2000, cache_write_tokens: 300 },
    });
    assert.equal(events.at(-1)?.done, true);
  });

  it('streams thinking as reasoning_content, skips the signature, and reports no usage it was not given', () => {
    const events = decodeAll(THINKING_STREAM);
    const deltas = chunksOf(events).map(choiceOf);
    assert.deepEqual(deltas[0].delta, { role: 'assistant', content: '' });
    const reasoning = deltas.filter((d) => 'reasoning_content' in d.delta);
    assert.equal(reasoning.length, 6);
    assert.equal(
      reasoning.map((d) => d.delta.reasoning_content).join(''),
      [
        'Let me solve this step by step:\n\n1. First break down 27 * 453',
        '\n2. 453 = 400 + 50 + 3\n3. 27 * 400 = 10,800\n4. 27 * 50 = 1,350\n5. 27 * 3 = 81\n6. 10,800 + 1,350 + 81 = 12,231',
      ].join(''),
    );
    assert.deepEqual(deltas.at(-2)?.delta, { content: '27 * 453 = 12,231' });
    assert.equal(deltas.at(-1)?.finish_reason, 'stop');
    assert.equal(deltas.length, 1 + 6 + 1 + 1);
    assert.doesNotMatch(JSON.stringify(events), /EqQBCgIYAhIM/);
    assert.ok(events.every((e) => e.usage === undefined));
    assert.deepEqual(events.at(-1), { chunks: [], usage: undefined, done: true });
    assert.equal((chunksOf(events)[0] as { id: string }).id, 'chatcmpl-01...', 'OpenAI\'s id shape, not Anthropic\'s');
  });

  it('throws the overloaded error event as a retryable upstream_error carrying its message', () => {
    const [ev] = sseEvents(OVERLOADED_ERROR_EVENT);
    const err = thrown(() => new AnthropicStreamDecoder().decode(ev.data, ev.event));
    assert.equal(err.code, 'upstream_error');
    assert.equal(err.status, 502);
    assert.equal(err.retryable, true);
    assert.match(err.message, /Overloaded/);
  });
});

describe('AnthropicStreamDecoder: rules', () => {
  const start = JSON.stringify({ type: 'message_start', message: { id: 'msg_1', model: 'm', usage: { input_tokens: 10, output_tokens: 1 } } });
  const stop = (reason: string) => JSON.stringify({ type: 'message_delta', delta: { stop_reason: reason, stop_sequence: null }, usage: { output_tokens: 3 } });
  const finishOf = (ev: ParsedEvent) => (ev.chunks[0] ? choiceOf(ev.chunks[0]).finish_reason : undefined);

  it('maps every stop reason to a finish reason', () => {
    const table = {
      end_turn: 'stop',
      stop_sequence: 'stop',
      pause_turn: 'stop',
      max_tokens: 'length',
      model_context_window_exceeded: 'length',
      tool_use: 'tool_calls',
      refusal: 'content_filter',
      something_new: 'stop',
    };
    for (const [reason, finish] of Object.entries(table)) {
      const d = new AnthropicStreamDecoder();
      d.decode(start, 'message_start');
      assert.equal(finishOf(d.decode(stop(reason), 'message_delta')), finish, reason);
    }
  });

  it('finishes once even if several message_delta events come, keeping the latest usage', () => {
    const d = new AnthropicStreamDecoder();
    d.decode(start, 'message_start');
    assert.equal(d.decode(stop('end_turn'), 'message_delta').chunks.length, 1);
    const again = feed(d, { type: 'message_delta', delta: { stop_reason: 'end_turn' }, usage: { output_tokens: 9 } });
    assert.equal(again.chunks.length, 0);
    assert.equal(again.usage?.completion_tokens, 9);
  });

  it("maps Anthropic's reported thinking tokens to reasoning_tokens", () => {
    const d = new AnthropicStreamDecoder();
    d.decode(start, 'message_start');
    const ev = feed(d, { type: 'message_delta', delta: { stop_reason: 'end_turn' }, usage: { output_tokens: 50, output_tokens_details: { thinking_tokens: 30 } } });
    assert.deepEqual(ev.usage, {
      prompt_tokens: 10,
      completion_tokens: 50,
      total_tokens: 60,
      prompt_tokens_details: { cached_tokens: 0 },
      completion_tokens_details: { reasoning_tokens: 30 },
    });
  });

  it('reports no usage before message_delta gives the final output count', () => {
    const d = new AnthropicStreamDecoder();
    assert.equal(d.decode(start, 'message_start').usage, undefined);
    assert.equal(d.decode(JSON.stringify({ type: 'message_stop' }), 'message_stop').usage, undefined);
  });

  it('is a fresh state per decoder: tool numbering restarts at 0', () => {
    const toolStart = (index: number, id: string) => ({ type: 'content_block_start', index, content_block: { type: 'tool_use', id, name: 'f', input: {} } });
    const indexOf = (ev: ParsedEvent) => choiceOf(ev.chunks[0]).delta.tool_calls?.[0].index;
    const first = new AnthropicStreamDecoder();
    assert.equal(indexOf(feed(first, toolStart(0, 'a'))), 0);
    assert.equal(indexOf(feed(first, toolStart(1, 'b'))), 1);
    assert.equal(indexOf(feed(new AnthropicStreamDecoder(), toolStart(3, 'c'))), 0);
  });

  it('sends a tool_use that starts with its whole input as arguments', () => {
    const ev = feed(new AnthropicStreamDecoder(), { type: 'content_block_start', index: 0, content_block: { type: 'tool_use', id: 't', name: 'f', input: { a: 1 } } });
    assert.deepEqual(choiceOf(ev.chunks[0]).delta, {
      tool_calls: [{ index: 0, id: 't', type: 'function', function: { name: 'f', arguments: '{"a":1}' } }],
    });
  });

  it('ignores unknown events, blocks and deltas', () => {
    const d = new AnthropicStreamDecoder();
    d.decode(start, 'message_start');
    assert.deepEqual(d.decode(JSON.stringify({ type: 'brand_new_event' }), 'brand_new_event'), { chunks: [] });
    assert.deepEqual(feed(d, { type: 'content_block_start', index: 0, content_block: { type: 'redacted_thinking', data: 'x' } }), { chunks: [] });
    assert.deepEqual(feed(d, { type: 'content_block_delta', index: 0, delta: { type: 'citations_delta', citation: {} } }), { chunks: [] });
    // Partial JSON for a block that never opened as a tool call has no call to belong to.
    assert.deepEqual(feed(d, { type: 'content_block_delta', index: 5, delta: { type: 'input_json_delta', partial_json: '{}' } }), { chunks: [] });
  });

  it('judges an error event by the status of its type: a rate limit mid-stream is a rate limit', () => {
    const err = thrown(() => feed(new AnthropicStreamDecoder(), { type: 'error', error: { type: 'rate_limit_error', message: 'slow down' } }));
    assert.equal(err.code, 'rate_limit_exceeded');
    assert.equal(err.retryable, true);
    const api = thrown(() => feed(new AnthropicStreamDecoder(), { type: 'error', error: { type: 'api_error', message: 'Internal server error' } }));
    assert.equal(api.code, 'upstream_error');
    assert.equal(api.message, 'The upstream reported an error mid-stream: Internal server error');
  });

  it('rejects malformed JSON as a retryable upstream_error', () => {
    for (const data of ['{"type": "content_block_delta", "index": 0, "delta": {', '', '[1]', 'null']) {
      const err = thrown(() => new AnthropicStreamDecoder().decode(data, 'content_block_delta'));
      assert.equal(err.code, 'upstream_error');
      assert.equal(err.message, 'The upstream sent a malformed stream chunk.');
      assert.equal(err.retryable, true);
    }
  });
});

describe('AnthropicStreamDecoder: a tool called with no input', () => {
  it('gives it "{}" as arguments, which OpenAI clients can parse', () => {
    const decoder = new AnthropicStreamDecoder(() => 0);
    const events = [
      { type: 'message_start', message: { id: 'msg_x', model: 'm', usage: { input_tokens: 5, output_tokens: 1 } } },
      { type: 'content_block_start', index: 0, content_block: { type: 'tool_use', id: 'toolu_1', name: 'now', input: {} } },
      { type: 'content_block_delta', index: 0, delta: { type: 'input_json_delta', partial_json: '' } },
      { type: 'content_block_stop', index: 0 },
      { type: 'message_delta', delta: { stop_reason: 'tool_use' }, usage: { output_tokens: 3 } },
      { type: 'message_stop' },
    ];
    let args = '';
    for (const ev of events) {
      for (const c of decoder.decode(JSON.stringify(ev), ev.type).chunks) {
        for (const tc of ((c.choices as { delta: { tool_calls?: { function?: { arguments?: string } }[] } }[])[0].delta.tool_calls ?? [])) args += tc.function?.arguments ?? '';
      }
    }
    assert.equal(args, '{}');
  });
});

describe('AnthropicStreamDecoder: what an upstream chooses costs no more than it sends', () => {
  const start = (id: string) => ({ type: 'message_start', message: { id, model: 'm', usage: { input_tokens: 5, output_tokens: 1 } } });
  const toolIndexOf = (p: ParsedEvent) => (choiceOf(p.chunks[0]).delta.tool_calls?.[0] as { index: number }).index;

  it('numbers tool calls 0, 1, 2… even when the upstream repeats a content-block index', () => {
    const d = new AnthropicStreamDecoder(() => 0);
    feed(d, start('msg_1'));
    const tool = (index: number, id: string) => feed(d, { type: 'content_block_start', index, content_block: { type: 'tool_use', id, name: 'f', input: {} } });
    assert.deepEqual([tool(1, 'a'), tool(1, 'b'), tool(2, 'c')].map(toolIndexOf), [0, 1, 2]);
  });

  // Regression: the chunk id was rebuilt from the message id (a regex replace and a copy) for every chunk.
  it('builds the chunk id once, and cuts an absurdly long message id', () => {
    const d = new AnthropicStreamDecoder(() => 0);
    const [first] = feed(d, start(`msg_${'x'.repeat(1_000_000)}`)).chunks;
    assert.equal(first.id, `chatcmpl-${'x'.repeat(252)}`);
    const delta = JSON.stringify({ type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text: 'a' } });
    const started = performance.now();
    for (let i = 0; i < 32_000; i++) assert.equal(d.decode(delta, undefined).chunks[0].id, first.id);
    const ms = performance.now() - started;
    assert.ok(ms < 500, `took ${ms.toFixed(1)} ms`);
  });
});
