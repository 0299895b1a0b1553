import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { TfError } from '@tokenflow/contracts';
import { decodeCursor, encodeCursor, listCondition, pageSize } from './request-log-query';

describe('request log cursor', () => {
  it('round-trips time and id, and is opaque (base64url)', () => {
    const c = { atMs: Date.parse('2025-03-01T12:00:00.123Z'), id: 'req_0123456789abcdef01234567' };
    const s = encodeCursor(c);
    assert.match(s, /^[A-Za-z0-9_-]+$/);
    assert.ok(!s.includes('req_'));
    assert.deepEqual(decodeCursor(s), c);
  });

  it('refuses anything it did not hand out with a 400 on `after`', () => {
    for (const bad of ['', 'not base64!', Buffer.from('r2:1:req').toString('base64url'), Buffer.from('r1:abc:req').toString('base64url'), Buffer.from('r1:1:').toString('base64url'), Buffer.from('r1:1:a b').toString('base64url'), 'x'.repeat(401)]) {
      assert.throws(
        () => decodeCursor(bad),
        (e: unknown) => e instanceof TfError && e.code === 'invalid_request' && e.param === 'after',
        bad,
      );
    }
  });
});

describe('request log filters', () => {
  it('no filter: no condition', () => {
    assert.deepEqual(listCondition({}), { where: '', params: [] });
  });

  it('each filter is one parameterised condition; model matches requested or served', () => {
    const after = encodeCursor({ atMs: 1_700_000_000_000, id: 'req_b' });
    const { where, params } = listCondition({
      account_id: 'a',
      key_id: 'k',
      model: 'gpt-4o',
      status: 429,
      error_code: 'rate_limit_exceeded',
      since: '2025-01-01T00:00:00Z',
      until: '2025-01-02T00:00:00+02:00',
      after,
    });
    assert.equal(
      where,
      'WHERE account_id = $1 AND key_id = $2 AND (requested_model = $3 OR served_model = $3) AND status = $4 AND error_code = $5 AND at >= $6 AND at < $7 AND (at, id) < ($8, $9)',
    );
    assert.deepEqual(params, ['a', 'k', 'gpt-4o', 429, 'rate_limit_exceeded', new Date('2025-01-01T00:00:00Z'), new Date('2025-01-01T22:00:00Z'), new Date(1_700_000_000_000), 'req_b']);
  });

  it('model by side: each side one indexed column, the served side without what the requested side has, parameters shared', () => {
    const params: unknown[] = [];
    const requested = listCondition({ model: 'gpt-4o', status: 200 }, 'requested', params).where;
    const served = listCondition({ model: 'gpt-4o', status: 200 }, 'served', params).where;
    assert.equal(requested, 'WHERE requested_model = $1 AND status = $2');
    assert.equal(served, 'WHERE served_model = $3 AND requested_model IS DISTINCT FROM $3 AND status = $4');
    assert.deepEqual(params, ['gpt-4o', 200, 'gpt-4o', 200]);
  });

  it('a value is never spliced into the SQL', () => {
    const { where, params } = listCondition({ model: "x' OR 1=1 --" });
    assert.ok(!where.includes("'"));
    assert.deepEqual(params, ["x' OR 1=1 --"]);
  });

  it('page size: default 50, within 1–200', () => {
    assert.equal(pageSize(undefined), 50);
    assert.equal(pageSize(0), 1);
    assert.equal(pageSize(10_000), 200);
    assert.equal(pageSize(7), 7);
  });
});
