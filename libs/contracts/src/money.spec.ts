import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { nanoToUsd, perMillionUsdToNanoPerToken, pricedUsage, usageCostNano, usdToNano } from './money';

describe('money', () => {
  it('parses USD decimal strings to exact nano-USD', () => {
    assert.equal(usdToNano('10.00'), 10_000_000_000n);
    assert.equal(usdToNano('0.000000001'), 1n);
    assert.equal(usdToNano('3'), 3_000_000_000n);
  });
  it('rejects what is not a non-negative decimal with at most 9 places', () => {
    for (const bad of ['-1', '1e3', '1.0000000001', '', 'abc', '1.', '.5']) assert.equal(usdToNano(bad), null, bad);
  });
  it('formats with at least two decimals and no float error', () => {
    assert.equal(nanoToUsd(10_000_000_000n), '10.00');
    assert.equal(nanoToUsd(9_999_860_000n), '9.99986');
    assert.equal(nanoToUsd(1n), '0.000000001');
    assert.equal(nanoToUsd(-2_500_000_000n), '-2.50');
  });
  it('turns every seed price into an exact integer per token', () => {
    assert.equal(perMillionUsdToNanoPerToken('0.14'), 140n);
    assert.equal(perMillionUsdToNanoPerToken('2.19'), 2190n);
    assert.equal(perMillionUsdToNanoPerToken('15.00'), 15000n);
  });
});

describe('usageCostNano', () => {
  const price = { inputNanoPerToken: '2500', outputNanoPerToken: '10000' };
  it('prices uncached input, cached input and output separately', () => {
    assert.equal(usageCostNano({ promptTokens: 1000, cachedTokens: 0, completionTokens: 100 }, price), 3_500_000n);
    const withCache = { ...price, cachedInputNanoPerToken: '1250' };
    assert.equal(usageCostNano({ promptTokens: 1000, cachedTokens: 400, completionTokens: 100 }, withCache), 600n * 2500n + 400n * 1250n + 100n * 10000n);
  });
  it('bills cached tokens at the input price when there is no cached price, and never more cached than prompt', () => {
    assert.equal(usageCostNano({ promptTokens: 10, cachedTokens: 4, completionTokens: 0 }, price), 25_000n);
    assert.equal(usageCostNano({ promptTokens: 10, cachedTokens: 50, completionTokens: 0 }, { ...price, cachedInputNanoPerToken: '0' }), 0n);
  });
  it('bills cache writes at their lifetime\'s price and audio at the audio prices, when the quote has them', () => {
    const quote = { ...price, cacheWriteNanoPerToken: '3125', cacheWrite1hNanoPerToken: '5000', audioInputNanoPerToken: '40000', audioOutputNanoPerToken: '80000' };
    const usage = { promptTokens: 1000, cachedTokens: 100, cacheWriteTokens: 500, cacheWrite1hTokens: 200, audioPromptTokens: 50, completionTokens: 100, audioCompletionTokens: 30 };
    const expected = 350n * 2500n + 100n * 2500n + 300n * 3125n + 200n * 5000n + 50n * 40000n + 70n * 10000n + 30n * 80000n;
    assert.equal(usageCostNano(usage, quote), expected);
    // Without those prices every token is billed as before: input and output.
    assert.equal(usageCostNano(usage, price), 1000n * 2500n + 100n * 10000n);
    // A 1h write without a 1h price is a write at the 5-minute price.
    assert.equal(usageCostNano({ promptTokens: 10, cachedTokens: 0, cacheWriteTokens: 10, cacheWrite1hTokens: 10, completionTokens: 0 }, { ...price, cacheWriteNanoPerToken: '3125' }), 31_250n);
  });
  it('never bills a token twice when the parts add up to more than the totals', () => {
    const quote = { ...price, cacheWriteNanoPerToken: '3125', audioInputNanoPerToken: '40000' };
    assert.equal(usageCostNano({ promptTokens: 10, cachedTokens: 6, cacheWriteTokens: 8, audioPromptTokens: 9, completionTokens: 0 }, quote), 6n * 2500n + 4n * 3125n);
  });
});

describe('pricedUsage', () => {
  it('reads the priced parts from the OpenAI-shape usage the adapter reports', () => {
    const usage = {
      prompt_tokens: 1000,
      completion_tokens: 100,
      total_tokens: 1100,
      prompt_tokens_details: { cached_tokens: 100, cache_write_tokens: 500, cache_write_1h_tokens: 200, audio_tokens: 50 },
      completion_tokens_details: { reasoning_tokens: 40, audio_tokens: 30 },
    };
    assert.deepEqual(pricedUsage(usage), { promptTokens: 1000, cachedTokens: 100, completionTokens: 100, cacheWriteTokens: 500, cacheWrite1hTokens: 200, audioPromptTokens: 50, audioCompletionTokens: 30 });
    assert.deepEqual(pricedUsage({ prompt_tokens: 5, completion_tokens: 2, total_tokens: 7, prompt_tokens_details: { cache_write_tokens: -1, audio_tokens: Number.NaN } }), { promptTokens: 5, cachedTokens: 0, completionTokens: 2 });
  });
});
