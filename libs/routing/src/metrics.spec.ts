import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import type { ScoredRow } from './metrics';
import { atThreshold, auc, bestAtQuality, inputTokens, randomAtQuality, rowCosts } from './metrics';

const row = (score: number, cheapQuality: number, premiumQuality: number, cheapCost = 1, premiumCost = 10): ScoredRow => ({ score, cheapQuality, premiumQuality, cheapCost, premiumCost });

describe('router metrics', () => {
  it('counts input tokens per message as max(1, ⌊len/4⌋) and prices both models', () => {
    assert.equal(inputTokens([{ content: 'abcdefgh' }, { content: '' }, { content: [{ type: 'text', text: 'abcd' }] }]), 2 + 1 + 1);
    const c = rowCosts([{ content: 'x'.repeat(400) }]);
    assert.ok(Math.abs(c.cheap - (100 * 0.14 + 200 * 0.28) / 1e6) < 1e-15);
    assert.ok(Math.abs(c.premium - (100 * 2.5 + 200 * 10) / 1e6) < 1e-15);
    const g = rowCosts([{ content: 'x'.repeat(400) }], 401, 803);
    assert.ok(Math.abs(g.premium - (100 * 2.5 + 200 * 10) / 1e6) < 1e-15, 'output tokens ⌊chars/4⌋');
    assert.ok(Math.abs(g.cheap - (100 * 0.14 + 100 * 0.28) / 1e6) < 1e-15);
  });

  it('computes AUC with ties counted one half', () => {
    assert.equal(auc([1, 2, 3, 4], [false, false, true, true]), 1);
    assert.equal(auc([4, 3, 2, 1], [false, false, true, true]), 0);
    assert.equal(auc([1, 1, 1, 1], [false, true, false, true]), 0.5);
    assert.ok(Number.isNaN(auc([1, 2], [true, true])));
  });

  it('finds the cheapest threshold that keeps the quality bound', () => {
    // Premium helps rows a and b; c and d are answered by both.
    const rows = [row(0.9, 0, 1), row(0.5, 0, 1), row(0.2, 1, 1), row(0.1, 1, 1)];
    const best = bestAtQuality(rows, 0.95);
    assert.equal(best.threshold, 0.5);
    assert.equal(best.premiumShare, 0.5);
    assert.equal(best.qualityRetained, 1);
    assert.ok(Math.abs(best.costSave - (1 - 22 / 40)) < 1e-12);
    assert.deepEqual(atThreshold(rows, 0.5), best);
    // 75% of premium quality is kept by sending only the top row premium.
    assert.equal(bestAtQuality(rows, 0.75).threshold, 0.9);
    // All cheap is allowed when it already meets the bound.
    assert.equal(bestAtQuality([row(1, 1, 1)], 0.95).threshold, Infinity);
  });

  it('gives random routing its expected operating point', () => {
    const rows = [row(0, 0, 1), row(0, 1, 1)];
    const r = randomAtQuality(rows, 0.95);
    assert.ok(Math.abs(r.premiumShare - 0.9) < 1e-12);
    assert.ok(Math.abs(r.qualityRetained - 0.95) < 1e-12);
    assert.ok(Math.abs(r.costSave - (1 - (0.9 * 20 + 0.1 * 2) / 20)) < 1e-12);
  });
});
