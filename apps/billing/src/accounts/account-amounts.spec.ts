import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { TfError } from '@tokenflow/contracts';
import { adjustmentNano, parseUsd } from './account-amounts';
import { isUuid } from './account-ids';

const badAmount = (fn: () => unknown, param = 'amount_usd') =>
  assert.throws(fn, (err: unknown) => err instanceof TfError && err.code === 'invalid_request' && err.param === param);

describe('parseUsd', () => {
  it('reads USD decimals exactly, down to the nano-dollar', () => {
    assert.equal(parseUsd('10.00', 'credit_usd'), 10_000_000_000n);
    assert.equal(parseUsd('0.000000001', 'credit_usd'), 1n);
    assert.equal(parseUsd('0', 'credit_usd'), 0n);
  });

  it('refuses negatives, finer amounts and non-decimals, naming the field', () => {
    badAmount(() => parseUsd('-1', 'credit_usd'), 'credit_usd');
    badAmount(() => parseUsd('0.0000000001', 'credit_limit_usd'), 'credit_limit_usd');
    badAmount(() => parseUsd('1,5', 'amount_usd'));
  });
});

describe('adjustmentNano', () => {
  it('signs the amount for the customer: an adjustment may take money back', () => {
    assert.equal(adjustmentNano('0.05', 'adjustment'), 50_000_000n);
    assert.equal(adjustmentNano('-0.05', 'adjustment'), -50_000_000n);
    assert.equal(adjustmentNano('1.25', 'refund'), 1_250_000_000n);
  });

  it('refuses a negative refund and a zero amount of either kind', () => {
    badAmount(() => adjustmentNano('-1', 'refund'));
    badAmount(() => adjustmentNano('0', 'adjustment'));
    badAmount(() => adjustmentNano('-0.00', 'adjustment'));
    badAmount(() => adjustmentNano('0', 'refund'));
  });

  it('takes one minus sign only', () => {
    badAmount(() => adjustmentNano('--1', 'adjustment'));
    badAmount(() => adjustmentNano('+1', 'adjustment'));
  });
});

describe('isUuid', () => {
  it('accepts uuids in either case, nothing else', () => {
    assert.equal(isUuid('0b6f3c1e-9d7a-4f2b-8c3d-1234567890ab'), true);
    assert.equal(isUuid('0B6F3C1E-9D7A-4F2B-8C3D-1234567890AB'), true);
    for (const id of ['', 'acct-1', '0b6f3c1e9d7a4f2b8c3d1234567890ab', '0b6f3c1e-9d7a-4f2b-8c3d-1234567890abc', ' 0b6f3c1e-9d7a-4f2b-8c3d-1234567890ab']) {
      assert.equal(isUuid(id), false, id);
    }
  });
});
