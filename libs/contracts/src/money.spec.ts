import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { nanoToUsd, perMillionUsdToNanoPerToken, usdToNano } from './money';

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
