import { strict as assert } from 'node:assert';
import { randomBytes } from 'node:crypto';
import { after, describe, it } from 'node:test';
import { countTokens } from 'gpt-tokenizer';
import { countTextTokens, estimateCompletionTokens, estimatePromptTokens, IMAGE_TOKENS, promptParts, tokenUpperBound } from './token-count';
import { TokenCounter } from './token-counter';

const english = 'The gateway counts every prompt once, in linear time, and never holds less than it bills. '.repeat(40);

function timed<T>(fn: () => T): { value: T; ms: number } {
  const start = performance.now();
  const value = fn();
  return { value, ms: performance.now() - start };
}

describe('countTextTokens', () => {
  it('matches the tokenizer on ordinary text, never below it', () => {
    for (const text of ['', 'hi', 'Hello there, how are you?', english, randomBytes(3000).toString('base64')]) {
      const exact = countTokens(text);
      const ours = countTextTokens(text);
      assert.ok(ours >= exact && ours <= exact * 1.02 + 2, `${ours} vs ${exact}`);
    }
  });

  // Regression: 40 KB of one letter took a second, 100 KB of CJK without spaces 49 s (quadratic BPE on one pre-token).
  for (const [name, text] of [
    ['one letter', 'a'.repeat(1_000_000)],
    ['spaces', ' '.repeat(1_000_000)],
    ['newlines', '\n'.repeat(1_000_000)],
    ['punctuation', '!'.repeat(1_000_000)],
    ['CJK without spaces', '我们的世界很大'.repeat(140_000)],
    ['emoji', '😀'.repeat(500_000)],
  ] as const) {
    it(`is linear on a 1 MB run of ${name}`, () => {
      const { value, ms } = timed(() => countTextTokens(text));
      assert.ok(value > 0 && value <= tokenUpperBound([text]));
      assert.ok(ms < 2_000, `${ms} ms`);
    });
  }

  it('never cuts a surrogate pair (a cut one would count as replacement characters)', () => {
    const text = 'x' + '😀'.repeat(1000);
    assert.ok(countTextTokens(text) <= tokenUpperBound([text]));
    assert.equal(countTextTokens('😀'.repeat(300)), countTextTokens('😀'.repeat(128)) + countTextTokens('😀'.repeat(172)));
  });
});

describe('promptParts', () => {
  it('counts each content part on its own: joining parts never makes a long run', () => {
    const parts = promptParts({ messages: [{ role: 'user', content: Array.from({ length: 3 }, () => ({ type: 'text', text: 'a'.repeat(10) })) }] });
    assert.deepEqual(parts.texts, ['a'.repeat(10), 'a'.repeat(10), 'a'.repeat(10)]);
    assert.equal(parts.chars, 30);
  });

  it('charges framing, names, images, tool calls, tools and the response format', () => {
    const base = { messages: [{ role: 'user', content: 'hi' }] };
    const n = estimatePromptTokens(base);
    assert.equal(n, 3 + 4 + countTokens('hi'));
    const image = { messages: [{ role: 'user', name: 'al', content: [{ type: 'text', text: 'hi' }, { type: 'image_url', image_url: { url: 'https://x/y.png' } }] }] };
    assert.equal(estimatePromptTokens(image), n + 1 + IMAGE_TOKENS);
    const tools = [{ type: 'function', function: { name: 'get_weather', parameters: { type: 'object' } } }];
    assert.equal(estimatePromptTokens({ ...base, tools }), n + countTokens(JSON.stringify(tools)));
  });

  it('takes legacy prompts and embeddings inputs, token arrays as their own count', () => {
    assert.equal(estimatePromptTokens({ prompt: 'hello world' }), countTokens('hello world'));
    assert.equal(estimatePromptTokens({ input: [[1, 2, 3], [4, 5]] }), 5);
    assert.equal(estimatePromptTokens({ input: ['a b', 'c'] }), countTokens('a b') + countTokens('c'));
  });
});

describe('estimateCompletionTokens', () => {
  it('is exact on short text and a cheap upper bound on long text', () => {
    assert.equal(estimateCompletionTokens('Hello there'), countTokens('Hello there'));
    const long = randomBytes(600_000).toString('base64');
    const { value, ms } = timed(() => estimateCompletionTokens(long));
    assert.ok(value >= countTextTokens(long));
    assert.ok(ms < 50, `${ms} ms`);
  });
});

describe('TokenCounter', () => {
  const counter = new TokenCounter({ threads: 1, maxQueue: 2 });
  after(() => counter.close());

  it('counts large prompts in a worker while the event loop stays free', async () => {
    const body = { messages: [{ role: 'user', content: randomBytes(1_500_000).toString('base64') }] };
    let ticks = 0;
    let worst = 0;
    let last = performance.now();
    const timer = setInterval(() => {
      const now = performance.now();
      worst = Math.max(worst, now - last);
      last = now;
      ticks++;
    }, 1);
    const counted = await counter.prompt(body);
    clearInterval(timer);
    assert.equal(counted.tokens, estimatePromptTokens(body));
    assert.ok(counted.reserve >= counted.tokens * 1.25);
    assert.ok(ticks > 10, `the loop ticked ${ticks} times`);
    assert.ok(worst < 100, `event loop blocked ${worst} ms`);
  });

  it('counts small prompts inline, exactly as estimatePromptTokens does', async () => {
    const body = { messages: [{ role: 'user', content: 'What is the capital of France?' }] };
    assert.equal((await counter.prompt(body)).tokens, estimatePromptTokens(body));
  });

  it('keeps ordinary counts out of the queue of huge ones', async () => {
    const huge = randomBytes(600_000).toString('base64');
    const ordinary = 'An ordinary long prompt of a few kilobytes. '.repeat(100);
    const flood = Promise.all(Array.from({ length: 2 }, () => counter.text(huge)));
    const started = performance.now();
    assert.equal(await counter.text(ordinary), countTextTokens(ordinary));
    assert.ok(performance.now() - started < 500, `an ordinary count waited ${(performance.now() - started).toFixed(0)} ms behind the flood`);
    await flood;
  });

  it('takes the byte upper bound when the pool is saturated, never a smaller count', async () => {
    const text = randomBytes(400_000).toString('base64');
    const results = await Promise.all(Array.from({ length: 8 }, () => counter.text(text)));
    const exact = countTextTokens(text);
    assert.ok(results.every((n) => n >= exact));
    assert.ok(results.some((n) => n === tokenUpperBound([text])), 'some counts fell back');
    assert.ok(counter.saturated > 0);
  });
});
