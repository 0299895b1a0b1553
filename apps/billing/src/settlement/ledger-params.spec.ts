import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { movementParams } from './ledger-params';

describe('movementParams', () => {
  const uuid = '0b6f3c1e-9d7a-4f2b-8c3d-1234567890ab';

  it('gives the columns in unnest order, amounts as exact decimal strings', () => {
    const params = movementParams([
      { requestId: 'r1', accountId: 'a1', keyId: uuid, model: 'gpt-4o', amountNano: 9007199254740993n, note: null },
      { requestId: 'r2', accountId: 'a2', keyId: uuid.toUpperCase(), model: null, amountNano: 0n, note: 'expired' },
    ]);
    assert.deepEqual(params, [
      ['r1', 'r2'],
      ['a1', 'a2'],
      [uuid, uuid.toUpperCase()],
      ['gpt-4o', null],
      ['9007199254740993', '0'],
      [null, 'expired'],
    ]);
  });

  it('stores no key id that is not one of ours (a uuid), so one odd event cannot fail the whole batch', () => {
    const params = movementParams(
      ['', 'key-1', `${uuid}x`, null, '00000000-0000-0000-0000-00000000000g'].map((keyId) => ({
        requestId: 'r',
        accountId: 'a',
        keyId,
        model: null,
        amountNano: 1n,
        note: null,
      })),
    );
    assert.deepEqual(params[2], [null, null, null, null, null]);
  });
});
