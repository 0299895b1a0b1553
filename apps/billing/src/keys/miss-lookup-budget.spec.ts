import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { MissLookupBudget } from './miss-lookup-budget';

const takes = (b: MissLookupBudget, n: number, at: number) => Array.from({ length: n }, () => b.take(at)).filter(Boolean).length;

describe('MissLookupBudget', () => {
  it('starts full: a burst of `perSecond` lookups, then none in the same instant', () => {
    const b = new MissLookupBudget(20, 0);
    assert.equal(takes(b, 25, 0), 20);
    assert.equal(b.take(0), false);
  });

  it('refills continuously at `perSecond`: one lookup per 50 ms at 20/s, and a fraction is not a lookup', () => {
    const b = new MissLookupBudget(20, 0);
    takes(b, 20, 0);
    assert.equal(b.take(49), false, '0.98 of a lookup');
    assert.equal(b.take(50), true, 'the fraction carried over, now whole');
    assert.equal(b.take(50), false);
    assert.equal(takes(b, 10, 300), 5, '250 ms later: five more');
  });

  it('never saves up more than one second of lookups, however long it was idle', () => {
    const b = new MissLookupBudget(20, 0);
    takes(b, 20, 0);
    assert.equal(takes(b, 100, 60_000), 20);
  });

  it('bounds a sustained flood to `perSecond` lookups a second', () => {
    const b = new MissLookupBudget(20, 0);
    let granted = 0;
    for (let ms = 0; ms < 10_000; ms += 5) granted += takes(b, 3, ms);
    // The first second's burst, then 20 a second for the rest.
    assert.ok(granted >= 20 * 10 && granted <= 20 * 10 + 20, `granted ${granted}`);
  });
});
