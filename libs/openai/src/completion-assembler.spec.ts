import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { TfError, type TokenUsage } from '@tokenflow/contracts';
import { CompletionAssembler } from './completion-assembler';

const BASE = { id: 'chatcmpl-123', object: 'chat.completion.chunk', created: 1_700_000_000, model: 'deepseek-v3' };

function chunk(choices: Record<string, unknown>[], extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { ...BASE, choices, ...extra };
}

function delta(d: Record<string, unknown>, index = 0, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { index, delta: d, finish_reason: null, ...extra };
}

type Choice = { index: number; message: Record<string, unknown>; logprobs: unknown; finish_reason: string };

function choicesOf(out: Record<string, unknown>): Choice[] {
  return out.choices as Choice[];
}

describe('CompletionAssembler', () => {
  it('concatenates content deltas into one chat.completion with the stream metadata', () => {
    const a = new CompletionAssembler();
    a.add(chunk([delta({ role: 'assistant', content: '' })]));
    a.add(chunk([delta({ content: 'Hel' })]));
    a.add(chunk([delta({ content: 'lo, ' })]));
    a.add(chunk([delta({ content: 'world!' })]));
    a.add(chunk([{ index: 0, delta: {}, finish_reason: 'stop' }]));
    const out = a.result(null);
    assert.equal(out.id, 'chatcmpl-123');
    assert.equal(out.object, 'chat.completion');
    assert.equal(out.created, 1_700_000_000);
    assert.equal(out.model, 'deepseek-v3');
    assert.deepEqual(out.choices, [
      { index: 0, message: { role: 'assistant', content: 'Hello, world!', refusal: null }, logprobs: null, finish_reason: 'stop' },
    ]);
    assert.equal('usage' in out, false);
    assert.equal('system_fingerprint' in out, false);
  });

  it('keeps n=2 choices apart and orders them by index', () => {
    const a = new CompletionAssembler();
    a.add(chunk([delta({ role: 'assistant', content: 'B1' }, 1)]));
    a.add(chunk([delta({ role: 'assistant', content: 'A1' }, 0)]));
    a.add(chunk([delta({ content: '-A2' }, 0), delta({ content: '-B2' }, 1)]));
    a.add(chunk([{ index: 1, delta: {}, finish_reason: 'length' }]));
    a.add(chunk([{ index: 0, delta: {}, finish_reason: 'stop' }]));
    const choices = choicesOf(a.result(null));
    assert.equal(choices.length, 2);
    assert.deepEqual(
      choices.map((c) => [c.index, c.message.content, c.finish_reason]),
      [
        [0, 'A1-A2', 'stop'],
        [1, 'B1-B2', 'length'],
      ],
    );
  });

  it('reassembles two parallel streamed tool calls from argument fragments', () => {
    const a = new CompletionAssembler();
    a.add(chunk([delta({ role: 'assistant', content: null })]));
    a.add(
      chunk([
        delta({ tool_calls: [{ index: 0, id: 'call_a', type: 'function', function: { name: 'get_weather', arguments: '' } }] }),
      ]),
    );
    a.add(chunk([delta({ tool_calls: [{ index: 0, function: { arguments: '{"ci' } }] })]));
    a.add(
      chunk([delta({ tool_calls: [{ index: 1, id: 'call_b', type: 'function', function: { name: 'get_time', arguments: '{"tz":' } }] })]),
    );
    a.add(chunk([delta({ tool_calls: [{ index: 0, function: { arguments: 'ty":"Pa' } }] })]));
    a.add(chunk([delta({ tool_calls: [{ index: 1, function: { arguments: '"Europe/Paris"}' } }] })]));
    a.add(chunk([delta({ tool_calls: [{ index: 0, function: { arguments: 'ris"}' } }] })]));
    a.add(chunk([{ index: 0, delta: {}, finish_reason: 'tool_calls' }]));

    const [choice] = choicesOf(a.result(null));
    assert.equal(choice.finish_reason, 'tool_calls');
    assert.equal(choice.message.content, null);
    assert.deepEqual(choice.message.tool_calls, [
      { id: 'call_a', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Paris"}' } },
      { id: 'call_b', type: 'function', function: { name: 'get_time', arguments: '{"tz":"Europe/Paris"}' } },
    ]);
    const calls = choice.message.tool_calls as { function: { arguments: string } }[];
    assert.deepEqual(JSON.parse(calls[0].function.arguments), { city: 'Paris' });
    assert.deepEqual(JSON.parse(calls[1].function.arguments), { tz: 'Europe/Paris' });
  });

  it('leaves tool_calls out of a message that made none', () => {
    const a = new CompletionAssembler();
    a.add(chunk([delta({ content: 'plain' })]));
    assert.equal('tool_calls' in choicesOf(a.result(null))[0].message, false);
  });

  it('concatenates reasoning_content separately from content', () => {
    const a = new CompletionAssembler();
    a.add(chunk([delta({ role: 'assistant', reasoning_content: 'Let me ' })]));
    a.add(chunk([delta({ reasoning_content: 'think.' })]));
    a.add(chunk([delta({ content: '42' })]));
    a.add(chunk([{ index: 0, delta: {}, finish_reason: 'stop' }]));
    const { message } = choicesOf(a.result(null))[0];
    assert.equal(message.reasoning_content, 'Let me think.');
    assert.equal(message.content, '42');
  });

  it('omits reasoning_content when the model sent none', () => {
    const a = new CompletionAssembler();
    a.add(chunk([delta({ content: 'x' })]));
    assert.equal('reasoning_content' in choicesOf(a.result(null))[0].message, false);
  });

  it('concatenates refusal deltas', () => {
    const a = new CompletionAssembler();
    a.add(chunk([delta({ refusal: "I can't " })]));
    a.add(chunk([delta({ refusal: 'help with that.' })]));
    const { message } = choicesOf(a.result(null))[0];
    assert.equal(message.refusal, "I can't help with that.");
    assert.equal(message.content, null);
  });

  it('reports the finish_reason the stream gave, not a default', () => {
    const a = new CompletionAssembler();
    a.add(chunk([delta({ content: 'truncated' })]));
    a.add(chunk([{ index: 0, delta: {}, finish_reason: 'length' }]));
    assert.equal(choicesOf(a.result(null))[0].finish_reason, 'length');
  });

  it('attaches usage when given, including its details', () => {
    const a = new CompletionAssembler();
    a.add(chunk([delta({ content: 'hi' })]));
    a.add(chunk([], { usage: { prompt_tokens: 999, completion_tokens: 999, total_tokens: 1998 } }));
    const usage: TokenUsage = {
      prompt_tokens: 10,
      completion_tokens: 2,
      total_tokens: 12,
      prompt_tokens_details: { cached_tokens: 4 },
      completion_tokens_details: { reasoning_tokens: 0 },
    };
    const out = a.result(usage);
    assert.deepEqual(out.usage, usage);
    // A usage-only chunk (choices: []) adds no choice.
    assert.equal(choicesOf(out).length, 1);
  });

  it('appends logprobs content across chunks in order', () => {
    const a = new CompletionAssembler();
    const lp = (token: string, logprob: number) => ({ token, logprob, bytes: [...Buffer.from(token)], top_logprobs: [] });
    a.add(chunk([delta({ content: 'Hi' }, 0, { logprobs: { content: [lp('Hi', -0.1)], refusal: null } })]));
    a.add(chunk([delta({ content: ' there' }, 0, { logprobs: { content: [lp(' there', -0.5)], refusal: null } })]));
    a.add(chunk([delta({ content: '!' }, 0, { logprobs: { content: [lp('!', -0.01)], refusal: null } })]));
    const { logprobs } = choicesOf(a.result(null))[0] as { logprobs: { content: { token: string; logprob: number }[] } };
    assert.deepEqual(
      logprobs.content.map((t) => [t.token, t.logprob]),
      [
        ['Hi', -0.1],
        [' there', -0.5],
        ['!', -0.01],
      ],
    );
  });

  it('keeps system_fingerprint', () => {
    const a = new CompletionAssembler();
    a.add(chunk([delta({ content: 'a' })], { system_fingerprint: 'fp_abc123' }));
    a.add(chunk([delta({ content: 'b' })], { system_fingerprint: 'fp_abc123' }));
    assert.equal(a.result(null).system_fingerprint, 'fp_abc123');
  });

  it('takes id, created and model from the first chunk that has them', () => {
    const a = new CompletionAssembler();
    a.add({ id: 'first', created: 111, model: 'm1', choices: [delta({ content: 'x' })] });
    a.add({ id: 'second', created: 222, model: 'm2', choices: [delta({ content: 'y' })] });
    const out = a.result(null);
    assert.deepEqual([out.id, out.created, out.model], ['first', 111, 'm1']);
  });

  it('fills in created when no chunk carried it', () => {
    const before = Math.floor(Date.now() / 1000);
    const a = new CompletionAssembler();
    a.add({ id: 'x', model: 'm', choices: [delta({ content: 'y' })] });
    const created = a.result(null).created as number;
    assert.ok(created >= before && created <= Math.floor(Date.now() / 1000) + 1, String(created));
  });

  // Regression: logprobs were re-copied on every chunk ([...old, ...new]): 32k chunks took ~10 s.
  it('appends logprobs in time linear in the stream (32k chunks)', () => {
    const a = new CompletionAssembler();
    const n = 32_000;
    const started = performance.now();
    for (let i = 0; i < n; i++) {
      a.add(chunk([delta({ content: 'x' }, 0, { logprobs: { content: [{ token: 'x', logprob: -i, bytes: [120], top_logprobs: [] }], refusal: null } })]));
    }
    const { logprobs, message } = choicesOf(a.result(null))[0] as unknown as { logprobs: { content: { logprob: number }[] }; message: { content: string } };
    const ms = performance.now() - started;
    assert.equal(logprobs.content.length, n);
    assert.equal(logprobs.content[n - 1].logprob, -(n - 1));
    assert.equal(message.content.length, n);
    assert.ok(ms < 500, `took ${ms.toFixed(1)} ms`);
  });

  it('takes a chunk of 200k logprobs without overflowing the stack, and appends refusal logprobs too', () => {
    const a = new CompletionAssembler();
    const many = Array.from({ length: 200_000 }, () => ({ token: 'x', logprob: 0, bytes: null, top_logprobs: [] }));
    a.add(chunk([delta({ content: 'x' }, 0, { logprobs: { content: many, refusal: null } })]));
    a.add(chunk([delta({ refusal: 'no' }, 0, { logprobs: { content: null, refusal: [{ token: 'no', logprob: -1, bytes: null, top_logprobs: [] }] } })]));
    const { logprobs } = choicesOf(a.result(null))[0] as { logprobs: { content: unknown[]; refusal: { token: string }[] } };
    assert.equal(logprobs.content.length, 200_000);
    assert.deepEqual(logprobs.refusal.map((t) => t.token), ['no']);
  });

  const rejects = (fn: () => void, what: string) =>
    assert.throws(fn, (err: unknown) => err instanceof TfError && err.code === 'upstream_error' && err.message === `The upstream sent an invalid ${what} index.`);

  // Regression: a tool-call index of 1e8 allocated a huge sparse array, and result() walked it with filter(Boolean).
  it('refuses a tool-call index beyond the calls seen so far, without allocating for it', () => {
    const a = new CompletionAssembler();
    a.add(chunk([delta({ tool_calls: [{ index: 0, id: 'call_a', function: { name: 'f', arguments: '{}' } }] })]));
    const started = performance.now();
    rejects(() => a.add(chunk([delta({ tool_calls: [{ index: 1e8, id: 'call_x', function: { name: 'g', arguments: '{}' } }] })])), 'tool call');
    assert.ok(performance.now() - started < 50);
    for (const index of [2, -1, 0.5, '1', Number.NaN, Infinity]) {
      rejects(() => a.add(chunk([delta({ tool_calls: [{ index, function: { arguments: 'x' } }] })])), 'tool call');
    }
    // The next new index, an existing one, and a missing one (the next new) are fine.
    a.add(chunk([delta({ tool_calls: [{ index: 1, id: 'call_b', function: { name: 'g', arguments: '{' } }] })]));
    a.add(chunk([delta({ tool_calls: [{ index: 0, function: { arguments: ' ' } }] })]));
    a.add(chunk([delta({ tool_calls: [{ id: 'call_c', function: { name: 'h', arguments: '[]' } }] })]));
    a.add(chunk([delta({ tool_calls: [{ index: 1, function: { arguments: '}' } }] })]));
    const calls = choicesOf(a.result(null))[0].message.tool_calls as { id: string; function: { arguments: string } }[];
    assert.deepEqual(
      calls.map((c) => [c.id, c.function.arguments]),
      [
        ['call_a', '{} '],
        ['call_b', '{}'],
        ['call_c', '[]'],
      ],
    );
  });

  it('counts tool calls per choice', () => {
    const a = new CompletionAssembler();
    a.add(chunk([delta({ tool_calls: [{ index: 0, id: 'a0' }] }, 0), delta({ tool_calls: [{ index: 0, id: 'b0' }] }, 1)]));
    rejects(() => a.add(chunk([delta({ tool_calls: [{ index: 2, id: 'b2' }] }, 1)])), 'tool call');
    a.add(chunk([delta({ tool_calls: [{ index: 1, id: 'b1' }] }, 1)]));
    assert.deepEqual(
      choicesOf(a.result(null)).map((c) => (c.message.tool_calls as { id: string }[]).map((t) => t.id)),
      [['a0'], ['b0', 'b1']],
    );
  });

  it('refuses a choice index outside [0, 128), and takes a missing one as 0', () => {
    const a = new CompletionAssembler();
    for (const index of [128, 1e8, -1, 1.5, '0', Number.NaN]) rejects(() => a.add(chunk([delta({ content: 'x' }, index as number)])), 'choice');
    a.add(chunk([{ delta: { content: 'zero' }, finish_reason: null }]));
    a.add(chunk([delta({ content: 'last' }, 127)]));
    assert.deepEqual(
      choicesOf(a.result(null)).map((c) => [c.index, c.message.content]),
      [
        [0, 'zero'],
        [127, 'last'],
      ],
    );
  });
});
