import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { budgetWindow, windowStart } from './budget-period';

describe('budgetWindow', () => {
  const at = new Date('2026-11-25T23:59:59.999Z');
  it('uses UTC days and months, and one window for lifetime budgets', () => {
    assert.deepEqual(budgetWindow('daily', at), { id: 'd:2026-11-25', start: new Date('2026-11-25T00:00:00Z') });
    assert.deepEqual(budgetWindow('monthly', at), { id: 'm:2026-11', start: new Date('2026-11-01T00:00:00Z') });
    assert.deepEqual(budgetWindow('total', at), { id: 't', start: null });
    assert.equal(budgetWindow('daily', new Date('2026-11-26T00:00:00Z')).id, 'd:2026-11-26');
  });
});

describe('windowStart', () => {
  it('inverts budgetWindow ids', () => {
    const at = new Date('2026-02-14T10:00:00Z');
    for (const p of ['daily', 'monthly', 'total'] as const) {
      const w = budgetWindow(p, at);
      assert.deepEqual(windowStart(w.id), w.start);
    }
  });
});
