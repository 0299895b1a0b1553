import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { heldAmountOf, holdMember, holdResultOf, parseHoldMember } from './hold-reply';

describe('holdResultOf', () => {
  it('maps each HOLD_LUA code to its outcome', () => {
    assert.deepEqual(holdResultOf([1]), { granted: true });
    assert.deepEqual(holdResultOf([-1]), { cold: 'account' });
    assert.deepEqual(holdResultOf([-2]), { cold: 'key-budget' });
    assert.deepEqual(holdResultOf([-3]), { abandoned: true });
    assert.deepEqual(holdResultOf([-4, '-25']), { riskLimited: true, roomNano: -25n });
  });

  it('tells an account refusal from a key-budget one, with what is left exactly (even negative)', () => {
    assert.deepEqual(holdResultOf([0, '123456789012345678']), { granted: false, short: 'account', remainingNano: 123456789012345678n });
    assert.deepEqual(holdResultOf([2, '-40']), { granted: false, short: 'key-budget', remainingNano: -40n });
    assert.deepEqual(holdResultOf([0]), { granted: false, short: 'account', remainingNano: 0n });
  });
});

describe('heldAmountOf', () => {
  it('reads the amount before the budget flag, without losing digits', () => {
    assert.equal(heldAmountOf('9007199254740993|1'), 9007199254740993n);
    assert.equal(heldAmountOf('0|0'), 0n);
  });
});

describe('hold members', () => {
  it('round-trip through the expiry index', () => {
    const m = holdMember('0b6f3c1e-9d7a-4f2b-8c3d-1234567890ab', 'req_abc', 'k-1');
    assert.deepEqual(parseHoldMember(m), { accountId: '0b6f3c1e-9d7a-4f2b-8c3d-1234567890ab', requestId: 'req_abc', keyId: 'k-1' });
  });

  it('read a member written before key ids were kept as having none', () => {
    assert.deepEqual(parseHoldMember('acct|req_old'), { accountId: 'acct', requestId: 'req_old', keyId: '' });
  });
});
