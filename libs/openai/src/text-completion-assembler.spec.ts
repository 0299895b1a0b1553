import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { TfError } from '@tokenflow/contracts';
import { TextCompletionAssembler } from './text-completion-assembler';

const BASE = { id: 'cmpl-1', object: 'text_completion', created: 1_700_000_000, model: 'gpt-3.5-turbo-instruct' };

function chunk(choices: Record<string, unknown>[]): Record<string, unknown> {
  return { ...BASE, choices };
}

const text = (t: string, index = 0, extra: Record<string, unknown> = {}) => ({ text: t, index, logprobs: null, finish_reason: null, ...extra });

type Choice = { index: number; text: string; logprobs: Record<string, unknown[]> | null; finish_reason: string };
const choicesOf = (out: Record<string, unknown>) => out.choices as Choice[];

describe('TextCompletionAssembler', () => {
  it('concatenates text per choice, orders choices and reports usage without details', () => {
    const a = new TextCompletionAssembler();
    a.add(chunk([text('B', 1), text('A', 0)]));
    a.add(chunk([text('b', 1, { finish_reason: 'length' }), text('a', 0)]));
    const out = a.result({ prompt_tokens: 3, completion_tokens: 4, total_tokens: 7, prompt_tokens_details: { cached_tokens: 1 } });
    assert.deepEqual([out.id, out.object, out.created, out.model], ['cmpl-1', 'text_completion', 1_700_000_000, 'gpt-3.5-turbo-instruct']);
    assert.deepEqual(choicesOf(out), [
      { index: 0, text: 'Aa', logprobs: null, finish_reason: 'stop' },
      { index: 1, text: 'Bb', logprobs: null, finish_reason: 'length' },
    ]);
    assert.deepEqual(out.usage, { prompt_tokens: 3, completion_tokens: 4, total_tokens: 7 });
  });

  it('appends each chunk’s logprobs rather than keeping only the last', () => {
    const a = new TextCompletionAssembler();
    const lp = (token: string, offset: number) => ({ tokens: [token], token_logprobs: [-0.5], top_logprobs: [{ [token]: -0.5 }], text_offset: [offset] });
    a.add(chunk([text('Hi', 0, { logprobs: lp('Hi', 0) })]));
    a.add(chunk([text(' there', 0, { logprobs: lp(' there', 2) })]));
    assert.deepEqual(choicesOf(a.result(null))[0].logprobs, {
      tokens: ['Hi', ' there'],
      token_logprobs: [-0.5, -0.5],
      top_logprobs: [{ Hi: -0.5 }, { ' there': -0.5 }],
      text_offset: [0, 2],
    });
  });

  it('folds 32k chunks with logprobs in linear time', () => {
    const a = new TextCompletionAssembler();
    const n = 32_000;
    const started = performance.now();
    for (let i = 0; i < n; i++) a.add(chunk([text('x', 0, { logprobs: { tokens: ['x'], token_logprobs: [-1], top_logprobs: null, text_offset: [i] } })]));
    const [choice] = choicesOf(a.result(null));
    const ms = performance.now() - started;
    assert.equal(choice.text.length, n);
    assert.equal(choice.logprobs?.text_offset.length, n);
    assert.equal(choice.logprobs?.text_offset[n - 1], n - 1);
    assert.ok(ms < 500, `took ${ms.toFixed(1)} ms`);
  });

  it('refuses a choice index outside [0, 128) as an upstream error', () => {
    const a = new TextCompletionAssembler();
    for (const index of [128, 1e8, -1, 0.5, '1']) {
      assert.throws(
        () => a.add(chunk([text('x', index as number)])),
        (err: unknown) => err instanceof TfError && err.code === 'upstream_error' && err.message === 'The upstream sent an invalid choice index.',
      );
    }
    a.add(chunk([{ text: 'no index' }]));
    assert.deepEqual(
      choicesOf(a.result(null)).map((c) => [c.index, c.text]),
      [[0, 'no index']],
    );
  });
});
