import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { ZhipuStreamDecoder } from './stream.decoder';
import { MINUS_ONE_INDEX_TOOL_STREAM, MULTI_TOOL_STREAM, STREAM_ERROR_EVENT, TEXT_STREAM, THINKING_TOOL_STREAM } from '../../../test/providers/zhipu/zhipu.fixtures';
import { chunk, sseData, thrown } from '../../../test/providers/zhipu/zhipu.testing';

type Json = Record<string, unknown>;

/** Feeds every event of a recorded stream through one fresh decoder and returns each event's result. */
const decodeAll = (sse: string) => {
  const decoder = new ZhipuStreamDecoder();
  return sseData(sse).map((data) => decoder.decode(data, undefined));
};

const c = (id: string, created: number, model: string) => (delta: Json, finish_reason: string | null = null) => ({
  chunks: [chunk(id, created, model, [{ index: 0, delta, finish_reason }])],
});

const event = (choices: Json[], extra: Json = {}) => JSON.stringify({ id: 'z1', created: 100, model: 'glm-4.6', choices, ...extra });

describe('zhipu stream decoder', () => {
  it('the documented text stream: OpenAI chunks with role first, the finish and usage from the last chunk, then done', () => {
    const at = c('1', 1677652288, 'glm-5');
    assert.deepEqual(decodeAll(TEXT_STREAM), [
      at({ role: 'assistant', content: 'Spring' }),
      at({ content: ' comes' }),
      at({ content: ' with' }),
      { ...at({}, 'stop'), usage: { prompt_tokens: 8, completion_tokens: 262, total_tokens: 270, prompt_tokens_details: { cached_tokens: 0 } } },
      { chunks: [], done: true },
    ]);
  });

  it('a thinking stream with a tool call: reasoning_content passes, the whole call gets index/type/id, one finish at the end', () => {
    const at = c('202509251819450b8e121651934f8d', 1758795585, 'glm-4.5');
    assert.deepEqual(decodeAll(THINKING_TOOL_STREAM), [
      at({ role: 'assistant', content: '\n' }),
      at({ reasoning_content: 'The' }),
      at({ reasoning_content: ' user' }),
      at({ reasoning_content: ' "' }),
      at({ reasoning_content: 'location' }),
      at({ content: '\n' }),
      at({ content: 'I' }),
      at({ content: "'ll" }),
      at({ tool_calls: [{ index: 0, id: 'call_db9178c4859a49d799521c00', type: 'function', function: { name: 'weather', arguments: '{"location": "Florence, Italy"}' } }] }),
      { ...at({}, 'tool_calls'), usage: { prompt_tokens: 179, completion_tokens: 94, total_tokens: 273, prompt_tokens_details: { cached_tokens: 178 } } },
      { chunks: [], done: true },
    ]);
  });

  it('several tool calls, each in its own chunk with a repeated finish_reason: indices 0 and 1, finish emitted once, last', () => {
    const at = c('20250926190620c633be90e4bb4b9f', 1758884780, 'glm-4.5');
    const args = '{"a": 2, "b": 3}';
    assert.deepEqual(decodeAll(MULTI_TOOL_STREAM), [
      at({ role: 'assistant', content: '\n' }),
      at({ reasoning_content: 'The' }),
      at({ reasoning_content: ' ' }),
      at({ content: '.\n' }),
      at({ tool_calls: [{ index: 0, id: 'call_2dbb7568bf254f7cb91b4a09', type: 'function', function: { name: 'add', arguments: args } }] }),
      at({ tool_calls: [{ index: 1, id: 'call_88cb0be022f94339af640b13', type: 'function', function: { name: 'multiply', arguments: args } }] }),
      { ...at({}, 'tool_calls'), usage: { prompt_tokens: 282, completion_tokens: 178, total_tokens: 460, prompt_tokens_details: { cached_tokens: 43 } } },
      { chunks: [], done: true },
    ]);
  });

  it('a tool call with index -1 (glm-4.5-flash) gets a real index', () => {
    const out = decodeAll(MINUS_ONE_INDEX_TOOL_STREAM);
    const at = c('2025091420174501de064dedfa4b68', 1757852265, 'glm-4.5-flash');
    assert.deepEqual(out[1], at({ tool_calls: [{ index: 0, id: 'call_4BgN84hpTbmswCBFSC9ggw', type: 'function', function: { name: 'add', arguments: '{"a": 365, "b": 96}' } }] }));
    assert.deepEqual(out[2].chunks, at({}, 'tool_calls').chunks);
  });

  it('tool_stream fragments continue the call they belong to; a call without id gets one, object arguments become a string', () => {
    const d = new ZhipuStreamDecoder();
    const tc = (calls: Json[]) => event([{ index: 0, delta: { tool_calls: calls } }]);
    const calls = (data: string) => ((d.decode(data, undefined).chunks[0]?.choices as Json[])?.[0]?.delta as Json)?.tool_calls;
    assert.deepEqual(calls(tc([{ index: 0, id: 'call_a', type: 'function', function: { name: 'f', arguments: '' } }])), [{ index: 0, id: 'call_a', type: 'function', function: { name: 'f', arguments: '' } }]);
    assert.deepEqual(calls(tc([{ index: 0, function: { arguments: '{"x"' } }])), [{ index: 0, function: { arguments: '{"x"' } }]);
    assert.deepEqual(calls(tc([{ index: 0, id: 'call_a', function: { arguments: ':1}' } }])), [{ index: 0, function: { arguments: ':1}' } }]);
    const generated = calls(tc([{ function: { name: 'g', arguments: { y: 2 } } }])) as Json[];
    assert.equal(generated.length, 1);
    assert.match(String(generated[0].id), /^call_[0-9a-f]{32}$/);
    assert.deepEqual({ ...generated[0], id: 'x' }, { index: 1, id: 'x', type: 'function', function: { name: 'g', arguments: '{"y":2}' } });
    assert.equal(calls(tc([{ type: 'web_search', web_search: {} }])), undefined, 'non-function tool calls are not forwarded');
  });

  it('finish reasons: sensitive → content_filter, model_context_window_exceeded → length, unknown → stop', () => {
    const usage = { prompt_tokens: 1, completion_tokens: 1, total_tokens: 2 };
    for (const [zhipu, openai] of [['sensitive', 'content_filter'], ['model_context_window_exceeded', 'length'], ['something_new', 'stop']]) {
      const d = new ZhipuStreamDecoder();
      d.decode(event([{ index: 0, delta: { content: 'a' } }]), undefined);
      const out = d.decode(event([{ index: 0, finish_reason: zhipu, delta: { role: 'assistant', content: '' } }], { usage }), undefined);
      assert.deepEqual(out.chunks, [chunk('z1', 100, 'glm-4.6', [{ index: 0, delta: {}, finish_reason: openai }])], zhipu);
    }
  });

  it('a finish with no usage chunk after it is emitted at [DONE], with done', () => {
    const d = new ZhipuStreamDecoder();
    d.decode(event([{ index: 0, delta: { content: 'a' } }]), undefined);
    assert.deepEqual(d.decode(event([{ index: 0, finish_reason: 'sensitive', delta: { content: 'b' } }]), undefined), {
      chunks: [chunk('z1', 100, 'glm-4.6', [{ index: 0, delta: { content: 'b' }, finish_reason: null }])],
    });
    assert.deepEqual(d.decode('[DONE]', undefined), { chunks: [chunk('z1', 100, 'glm-4.6', [{ index: 0, delta: {}, finish_reason: 'content_filter' }])], done: true });
  });

  it('a usage-only chunk (no choices) forwards nothing but its usage, and closes a held-back finish', () => {
    const d = new ZhipuStreamDecoder();
    d.decode(event([{ index: 0, finish_reason: 'stop', delta: { content: 'a' } }]), undefined);
    const out = d.decode(event([], { usage: { prompt_tokens: 5, completion_tokens: 7, total_tokens: 99, completion_tokens_details: { reasoning_tokens: 3 } } }), undefined);
    assert.deepEqual(out, {
      chunks: [chunk('z1', 100, 'glm-4.6', [{ index: 0, delta: {}, finish_reason: 'stop' }])],
      usage: { prompt_tokens: 5, completion_tokens: 7, total_tokens: 12, completion_tokens_details: { reasoning_tokens: 3 } },
    });
    assert.deepEqual(new ZhipuStreamDecoder().decode(event([], { usage: { prompt_tokens: 5, completion_tokens: 0 } }), undefined), {
      chunks: [],
      usage: { prompt_tokens: 5, completion_tokens: 0, total_tokens: 5 },
    });
  });

  it('finish_reason network_error throws a retryable upstream_error', () => {
    const d = new ZhipuStreamDecoder();
    const err = thrown(() => d.decode(event([{ index: 0, finish_reason: 'network_error', delta: { content: '' } }]), undefined));
    assert.deepEqual([err.code, err.status, err.retryable], ['upstream_error', 502, true]);
  });

  it('an error object in the stream is judged by its Zhipu code', () => {
    const sensitive = thrown(() => new ZhipuStreamDecoder().decode(STREAM_ERROR_EVENT, undefined));
    assert.deepEqual([sensitive.code, sensitive.retryable], ['invalid_request', false]);
    assert.match(sensitive.message, /敏感内容/);
    const tooLong = thrown(() => new ZhipuStreamDecoder().decode('{"error":{"code":"1261","message":"Prompt 超长"}}', undefined));
    assert.equal(tooLong.code, 'context_length_exceeded');
    const busy = thrown(() => new ZhipuStreamDecoder().decode('{"error":{"code":"1302","message":"并发数过高"}}', undefined));
    assert.deepEqual([busy.code, busy.retryable], ['rate_limit_exceeded', true]);
    const unknown = thrown(() => new ZhipuStreamDecoder().decode('{"error":{"code":"9999","message":"boom at https://internal.example/x"}}', undefined));
    assert.deepEqual([unknown.code, unknown.retryable], ['upstream_error', true]);
    assert.match(unknown.message, /mid-stream: boom at \[url\]/);
  });

  it('malformed JSON is a retryable upstream_error', () => {
    for (const data of ['{"id":"z1","choices":[', 'not json', '[1,2]', 'null']) {
      const err = thrown(() => new ZhipuStreamDecoder().decode(data, undefined));
      assert.deepEqual([err.code, err.message, err.retryable], ['upstream_error', 'The upstream sent a malformed stream chunk.', true], data);
    }
  });

  it('GLM-4V array content is joined; audio passes; a chunk without id or created still gets OpenAI envelope fields', () => {
    const d = new ZhipuStreamDecoder();
    const out = d.decode(JSON.stringify({ choices: [{ index: 0, delta: { content: [{ type: 'text', text: 'a' }, { type: 'text', text: 'b' }], audio: { id: 'au1', data: 'UklG' } } }] }), undefined);
    const [first] = out.chunks;
    assert.match(String(first.id), /^chatcmpl-[0-9a-f]{32}$/);
    assert.equal(typeof first.created, 'number');
    assert.deepEqual({ ...first, id: 'x', created: 0 }, chunk('x', 0, '', [{ index: 0, delta: { role: 'assistant', content: 'ab', audio: { id: 'au1', data: 'UklG' } }, finish_reason: null }]));
  });

  it('each decoder is fresh: tool indices and the first-chunk role start over', () => {
    const call = event([{ index: 0, delta: { tool_calls: [{ id: 'call_q', index: 0, type: 'function', function: { name: 'f', arguments: '{}' } }] } }]);
    for (let i = 0; i < 2; i += 1) {
      const delta = ((new ZhipuStreamDecoder().decode(call, undefined).chunks[0].choices as Json[])[0] as Json).delta as Json;
      assert.deepEqual(delta, { role: 'assistant', tool_calls: [{ index: 0, id: 'call_q', type: 'function', function: { name: 'f', arguments: '{}' } }] });
    }
  });

  it('never forwards usage inside a chunk, nor Zhipu-only fields', () => {
    const d = new ZhipuStreamDecoder();
    const out = d.decode(event([{ index: 0, finish_reason: 'stop', delta: { content: 'x' } }], { usage: { prompt_tokens: 1, completion_tokens: 1 }, content_filter: [{ role: 'assistant', level: 3 }], request_id: 'r' }), undefined);
    assert.deepEqual(Object.keys(out.chunks[0]).sort(), ['choices', 'created', 'id', 'model', 'object']);
    assert.deepEqual(out.chunks[0].choices, [{ index: 0, delta: { role: 'assistant', content: 'x' }, finish_reason: 'stop' }]);
  });

  it('refuses a choice index of 128 or more instead of keeping state for it', () => {
    const err = thrown(() => new ZhipuStreamDecoder().decode(event([{ index: 1e8, delta: { content: 'x' } }]), undefined));
    assert.deepEqual([err.code, err.message, err.retryable], ['upstream_error', 'The upstream sent an invalid choice index.', true]);
    const last = new ZhipuStreamDecoder().decode(event([{ index: 127, delta: { content: 'x' } }]), undefined);
    assert.equal(((last.chunks[0].choices as Json[])[0] as Json).index, 127);
  });

  it('repeats a first-chunk id cut to 256 characters, not an arbitrarily long one', () => {
    const d = new ZhipuStreamDecoder();
    const first = d.decode(JSON.stringify({ id: 'z'.repeat(1_000_000), choices: [{ index: 0, delta: { content: 'a' } }] }), undefined);
    const next = d.decode(JSON.stringify({ choices: [{ index: 0, delta: { content: 'b' } }] }), undefined);
    assert.equal(first.chunks[0].id, 'z'.repeat(256));
    assert.equal(next.chunks[0].id, first.chunks[0].id);
  });
});
