import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { stringifyInSlices } from './sliced-json';

describe('stringifyInSlices', () => {
  it('writes exactly what JSON.stringify writes, large arrays included', async () => {
    const logprobs = Array.from({ length: 32_000 }, (_, i) => ({ token: `t${i}`, logprob: -i / 1e4, bytes: [116], top_logprobs: [] }));
    const value = {
      id: 'chatcmpl-1',
      choices: [{ index: 0, message: { content: 'x\u0000y' }, logprobs: { content: logprobs } }, { index: 1, logprobs: { content: logprobs.slice(0, 3000) } }],
      small: [1, 2, 3],
      empty: [],
      undef: undefined,
      nested: Array.from({ length: 2_100 }, (_, i) => [i, { a: i }]),
    };
    assert.equal(await stringifyInSlices(value), JSON.stringify(value));
    assert.equal(await stringifyInSlices({ a: 1 }), '{"a":1}');
  });

  it('leaves the event loop free between slices of a large answer', async () => {
    // In one block this is about 200 ms of JSON.stringify.
    const value = { data: Array.from({ length: 400_000 }, (_, i) => ({ token: `token-${i}`, logprob: -0.5, top_logprobs: [{ token: 'x', logprob: -1 }] })) };
    let worst = 0;
    let last = performance.now();
    const timer = setInterval(() => {
      worst = Math.max(worst, performance.now() - last);
      last = performance.now();
    }, 1);
    const json = await stringifyInSlices(value);
    clearInterval(timer);
    assert.equal(json.length, JSON.stringify(value).length);
    assert.ok(worst < 100, `event loop blocked ${worst.toFixed(1)} ms`);
  });
});
