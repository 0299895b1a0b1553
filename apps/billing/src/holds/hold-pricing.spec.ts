import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { TfError } from '@tokenflow/contracts';
import { holdAmountNano, holdBudget, holdRefusal } from './hold-pricing';

describe('holdAmountNano', () => {
  const price = { inputNanoPerToken: '2500', outputNanoPerToken: '10000', cachedInputNanoPerToken: '1250' };

  it('reserves every prompt token at the full input price (never the cached one) plus the whole output limit', () => {
    assert.equal(holdAmountNano(26, 16, price), 26n * 2500n + 16n * 10000n);
  });

  it('counts negative token counts as zero instead of reserving less than nothing', () => {
    assert.equal(holdAmountNano(-5, 16, price), 16n * 10000n);
    assert.equal(holdAmountNano(26, -1, price), 26n * 2500n);
    assert.equal(holdAmountNano(0, 0, price), 0n);
  });

  it('is exact where floating point is not', () => {
    // 2e6 × 4503599627 ≈ 9e15, past 2^53: a Number product would be rounded.
    assert.equal(holdAmountNano(2_000_000, 1, { inputNanoPerToken: '4503599627', outputNanoPerToken: '1' }), 2_000_000n * 4503599627n + 1n);
  });
});

describe('holdBudget', () => {
  it('has no window and no budget for a key without one', () => {
    assert.deepEqual(holdBudget(null), { window: null, budget: null });
  });

  it('checks a key budget in the window in force (UTC), with its limit exact', () => {
    const now = new Date('2026-03-31T23:30:00-02:00'); // already April 1st in UTC
    assert.deepEqual(holdBudget({ limitNano: '25000000000', period: 'monthly' }, now), {
      window: { id: 'm:2026-04', start: new Date('2026-04-01T00:00:00Z') },
      budget: { limitNano: 25_000_000_000n, windowId: 'm:2026-04' },
    });
    assert.equal(holdBudget({ limitNano: '1', period: 'total' }, now).budget?.windowId, 't');
  });
});

describe('holdRefusal', () => {
  it('is a 429 insufficient_quota naming the most the request may cost and what the account has', () => {
    const err = holdRefusal('account', 1_500_000n, 2_250_000n, null);
    assert.ok(err instanceof TfError);
    assert.equal(err.code, 'insufficient_quota');
    assert.equal(err.status, 429);
    assert.equal(err.message, 'You exceeded your current quota: this request may cost up to $0.00225 and the account has $0.0015 available. Add credits or lower max_tokens.');
  });

  it('names the key budget, its period and limit, when that is what is short', () => {
    const err = holdRefusal('key-budget', 250_000_000n, 300_000_000n, { limitNano: '5000000000', period: 'daily' });
    assert.match(err.message, /this API key's daily budget of \$5\.00 has \$0\.25 left/);
  });

  it('never shows a negative amount left (holds in flight can overshoot what is cached)', () => {
    assert.match(holdRefusal('account', -42n, 10n, null).message, /the account has \$0\.00 available/);
    assert.match(holdRefusal('key-budget', -1n, 10n, { limitNano: '1000000000', period: 'total' }).message, /has \$0\.00 left/);
  });
});
