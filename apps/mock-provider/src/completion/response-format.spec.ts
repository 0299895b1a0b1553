import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import type { CompletionPlan } from './completion-plan';
import { buildChunkSequence, buildCompletion, fragments, type StreamChunk } from './response-format';

const usage = {
  prompt_tokens: 10,
  completion_tokens: 2,
  total_tokens: 12,
  prompt_tokens_details: { cached_tokens: 0 },
  completion_tokens_details: { reasoning_tokens: 0 },
};

const plan = (overrides: Partial<CompletionPlan> = {}): CompletionPlan => ({
  id: 'chatcmpl-test',
  created: 1_700_000_000,
  model: 'gpt-4o',
  n: 1,
  reasoning: [],
  content: ['hello ', 'world'],
  toolCalls: [],
  finishReason: 'stop',
  usage,
  ...overrides,
});

const deltas = (chunks: StreamChunk[]) => chunks.map((c) => c.body.choices[0]?.delta);

describe('buildChunkSequence', () => {
  it('opens with the role, sends one token per chunk and closes with an empty delta and the finish reason', () => {
    const chunks = buildChunkSequence(plan(), { includeUsage: false });
    assert.deepEqual(
      chunks.map((c) => c.kind),
      ['role', 'token', 'token', 'finish'],
    );
    assert.deepEqual(deltas(chunks), [{ role: 'assistant', content: '' }, { content: 'hello ' }, { content: 'world' }, {}]);
    assert.deepEqual(
      chunks.map((c) => c.body.choices[0].finish_reason),
      [null, null, null, 'stop'],
    );
    assert.ok(chunks.every((c) => !('usage' in c.body)));
  });

  it('stamps every chunk with the same id, created, model and fingerprint', () => {
    for (const { body } of buildChunkSequence(plan(), { includeUsage: true })) {
      assert.deepEqual(
        [body.id, body.object, body.created, body.model, body.system_fingerprint],
        ['chatcmpl-test', 'chat.completion.chunk', 1_700_000_000, 'gpt-4o', 'fp_mock'],
      );
    }
  });

  it('with include_usage, puts usage null on every chunk and appends a choice-less usage chunk', () => {
    const chunks = buildChunkSequence(plan(), { includeUsage: true });
    const last = chunks.at(-1)!;
    assert.equal(last.kind, 'usage');
    assert.deepEqual(last.body.choices, []);
    assert.deepEqual(last.body.usage, usage);
    assert.ok(chunks.slice(0, -1).every((c) => c.body.usage === null));
  });

  it('streams reasoning before content, with content null in reasoning deltas', () => {
    const chunks = buildChunkSequence(plan({ reasoning: ['think ', 'hard'] }), { includeUsage: false });
    assert.deepEqual(deltas(chunks).slice(1, 4), [{ content: null, reasoning_content: 'think ' }, { content: null, reasoning_content: 'hard' }, { content: 'hello ' }]);
  });

  it('streams each tool call as a header then argument fragments of at most 8 characters', () => {
    const args = '{"city":"mock","days":42}';
    const chunks = buildChunkSequence(
      plan({ content: [], finishReason: 'tool_calls', toolCalls: [{ id: 'call_1', name: 'get_weather', arguments: args }, { id: 'call_2', name: 'get_time', arguments: '{}' }] }),
      { includeUsage: false },
    );
    const all = deltas(chunks);
    assert.deepEqual(all[0], { role: 'assistant', content: null });
    assert.deepEqual(all[1], { tool_calls: [{ index: 0, id: 'call_1', type: 'function', function: { name: 'get_weather', arguments: '' } }] });
    const byIndex = new Map<number, string>();
    for (const d of all) for (const tc of d.tool_calls ?? []) byIndex.set(tc.index, (byIndex.get(tc.index) ?? '') + tc.function.arguments);
    assert.deepEqual(JSON.parse(byIndex.get(0)!), { city: 'mock', days: 42 });
    assert.deepEqual(JSON.parse(byIndex.get(1)!), {});
    assert.ok(all.every((d) => (d.tool_calls ?? []).every((tc) => tc.function.arguments.length <= 8)));
    assert.equal(chunks.at(-1)!.body.choices[0].finish_reason, 'tool_calls');
  });

  it('gives every choice its own role, token and finish chunks', () => {
    const chunks = buildChunkSequence(plan({ n: 2 }), { includeUsage: false });
    assert.equal(chunks.length, 8);
    for (const index of [0, 1]) {
      const mine = chunks.filter((c) => c.body.choices[0].index === index);
      assert.deepEqual(
        mine.map((c) => c.kind),
        ['role', 'token', 'token', 'finish'],
      );
    }
  });
});

describe('buildCompletion', () => {
  it('renders the OpenAI chat.completion shape', () => {
    assert.deepEqual(buildCompletion(plan(), { includeUsage: true }), {
      id: 'chatcmpl-test',
      object: 'chat.completion',
      created: 1_700_000_000,
      model: 'gpt-4o',
      system_fingerprint: 'fp_mock',
      choices: [{ index: 0, message: { role: 'assistant', content: 'hello world', refusal: null }, logprobs: null, finish_reason: 'stop' }],
      usage,
    });
  });

  it('omits usage when it is suppressed and carries reasoning and tool calls in the message', () => {
    const body = buildCompletion(
      plan({ n: 2, reasoning: ['hmm'], content: [], finishReason: 'tool_calls', toolCalls: [{ id: 'call_1', name: 'f', arguments: '{}' }] }),
      { includeUsage: false },
    );
    assert.ok(!('usage' in body));
    assert.equal(body.choices.length, 2);
    assert.deepEqual(body.choices[1].message, {
      role: 'assistant',
      content: null,
      reasoning_content: 'hmm',
      tool_calls: [{ id: 'call_1', type: 'function', function: { name: 'f', arguments: '{}' } }],
      refusal: null,
    });
  });
});

describe('fragments', () => {
  it('splits text into pieces that join back to it', () => {
    assert.deepEqual(fragments('abcdefghij', 4), ['abcd', 'efgh', 'ij']);
    assert.deepEqual(fragments('', 4), []);
  });
});
