import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { indexByModel, quoteOf, versionAt } from './price-versions';
import type { PriceVersion } from './prices.repository';

const v = (model: string, from: string, input: bigint, output = input, cached: bigint | null = null): PriceVersion => ({
  model,
  effectiveFrom: new Date(from),
  inputNanoPerToken: input,
  outputNanoPerToken: output,
  cachedInputNanoPerToken: cached,
});

describe('indexByModel and versionAt', () => {
  const book = indexByModel([
    v('gpt-4o', '2026-01-01T00:00:00Z', 2500n),
    v('deepseek-v3', '2026-01-01T00:00:00Z', 140n),
    v('gpt-4o', '2026-03-01T00:00:00Z', 3000n),
    v('gpt-4o', '2026-06-01T00:00:00Z', 2000n), // scheduled
  ]);

  it('keeps every version of a model, newest first', () => {
    assert.deepEqual(book.get('gpt-4o')!.map((x) => x.inputNanoPerToken), [2000n, 3000n, 2500n]);
    assert.equal(book.get('deepseek-v3')!.length, 1);
  });

  it('prices at the newest version in force at the time, the change instant included', () => {
    const list = book.get('gpt-4o');
    assert.equal(versionAt(list, new Date('2026-02-15T00:00:00Z'))?.inputNanoPerToken, 2500n);
    assert.equal(versionAt(list, new Date('2026-03-01T00:00:00Z'))?.inputNanoPerToken, 3000n, 'in force from its effective time');
    assert.equal(versionAt(list, new Date('2026-02-28T23:59:59.999Z'))?.inputNanoPerToken, 2500n);
    assert.equal(versionAt(list, new Date('2026-05-31T23:59:59Z'))?.inputNanoPerToken, 3000n, 'a scheduled price is not in force yet');
    assert.equal(versionAt(list, new Date('2026-07-01T00:00:00Z'))?.inputNanoPerToken, 2000n);
  });

  it('has no price before the first version, nor for an unknown model: refused, never guessed', () => {
    assert.equal(versionAt(book.get('gpt-4o'), new Date('2025-12-31T23:59:59Z')), null);
    assert.equal(versionAt(book.get('no-such-model'), new Date()), null);
  });
});

describe('quoteOf', () => {
  it('carries the prices as decimal strings, the cached-input price only when the model has one', () => {
    assert.deepEqual(quoteOf(v('m', '2026-01-01T00:00:00Z', 2500n, 10000n)), { inputNanoPerToken: '2500', outputNanoPerToken: '10000' });
    assert.deepEqual(quoteOf(v('m', '2026-01-01T00:00:00Z', 2500n, 10000n, 0n)), {
      inputNanoPerToken: '2500',
      outputNanoPerToken: '10000',
      cachedInputNanoPerToken: '0',
    });
    assert.ok(!('cachedInputNanoPerToken' in quoteOf(v('m', '2026-01-01T00:00:00Z', 1n))));
  });
});
