import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { postingAccounts } from './posting-accounts';

describe('postingAccounts', () => {
  it('funds top-ups from system:funding and refunds from system:revenue, into the customer', () => {
    assert.deepEqual(postingAccounts('top_up', 'a1', 10n), { debit: 'system:funding', credit: 'account:a1' });
    assert.deepEqual(postingAccounts('refund', 'a1', 10n), { debit: 'system:revenue', credit: 'account:a1' });
  });

  it('turns the posting around when the customer gives money back (a negative adjustment)', () => {
    assert.deepEqual(postingAccounts('adjustment', 'a1', 5n), { debit: 'system:adjustments', credit: 'account:a1' });
    assert.deepEqual(postingAccounts('adjustment', 'a1', -5n), { debit: 'account:a1', credit: 'system:adjustments' });
  });

  it('never posts to the customer twice: the two sides always differ', () => {
    for (const kind of ['top_up', 'refund', 'adjustment'] as const) {
      for (const amount of [-1n, 0n, 1n]) {
        const { debit, credit } = postingAccounts(kind, 'a1', amount);
        assert.notEqual(debit, credit);
        assert.ok([debit, credit].includes('account:a1'));
      }
    }
  });
});
