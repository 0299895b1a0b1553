import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { TfError } from '@tokenflow/contracts';
import { requestDeadline } from './deadline';

const NOW = 1_700_000_000_000;
const MAX = 120_000;

describe('requestDeadline', () => {
  it('uses now + the server maximum when the header is absent', () => {
    assert.equal(requestDeadline(undefined, MAX, NOW), NOW + MAX);
  });

  it('defaults now to the current time', () => {
    const before = Date.now();
    const deadline = requestDeadline(undefined, MAX);
    assert.ok(deadline >= before + MAX && deadline <= Date.now() + MAX);
  });

  it('honours a lower client timeout', () => {
    assert.equal(requestDeadline('5000', MAX, NOW), NOW + 5000);
    assert.equal(requestDeadline('1', MAX, NOW), NOW + 1);
  });

  it('caps a higher client timeout at the server maximum', () => {
    assert.equal(requestDeadline('600000', MAX, NOW), NOW + MAX);
    assert.equal(requestDeadline(String(MAX), MAX, NOW), NOW + MAX);
  });

  it('uses the first value of a repeated header', () => {
    assert.equal(requestDeadline(['3000', '9000'], MAX, NOW), NOW + 3000);
  });

  it('rejects values that are not a positive integer of milliseconds', () => {
    for (const bad of ['abc', '-5', '0', '1.5', '', ' ', '1e3', '0x10', '10ms', '99999999999999999999']) {
      try {
        requestDeadline(bad, MAX, NOW);
        assert.fail(`accepted ${JSON.stringify(bad)}`);
      } catch (err) {
        assert.ok(err instanceof TfError, `${JSON.stringify(bad)}: ${String(err)}`);
        assert.equal(err.code, 'invalid_request');
        assert.equal(err.status, 400);
        assert.equal(err.param, 'x-tokenflow-timeout-ms');
      }
    }
  });
});
