import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import type { Bucket } from './buckets';
import { acquireCall, leaseMsFor, settleCall } from './limit-script-calls';

describe('leaseMsFor', () => {
  it('leases a slot for as long as the request may run, rounded up, capped by the configured maximum', () => {
    assert.equal(leaseMsFor(30_000.2, 120_000), 30_001);
    assert.equal(leaseMsFor(500_000, 120_000), 120_000);
    assert.equal(leaseMsFor(120_000, 120_000), 120_000);
  });

  it('uses the maximum when the request names no usable deadline', () => {
    for (const asked of [undefined, 0, -5, Number.NaN]) assert.equal(leaseMsFor(asked, 90_000), 90_000, String(asked));
  });
});

describe('acquireCall', () => {
  const buckets: Bucket[] = [
    { key: 'tf:x:rl:v1:{a:a1}:k:k1:r', kind: 'r', limit: 10, label: '' },
    { key: 'tf:x:rl:v1:{a:a1}:acct:t', kind: 't', limit: 5000, label: '' },
  ];

  it('passes the reservation then every bucket key, and kind/limit pairs after the request id, estimate and lease', () => {
    assert.deepEqual(acquireCall('res', buckets, 'req_1', 250, 30_000), {
      keys: ['res', 'tf:x:rl:v1:{a:a1}:k:k1:r', 'tf:x:rl:v1:{a:a1}:acct:t'],
      args: ['req_1', 250, 30_000, 'r', 10, 't', 5000],
    });
  });

  it('reserves whole tokens, rounded up, and never a negative estimate', () => {
    assert.equal(acquireCall('res', buckets, 'r', 249.1, 1).args[1], 250);
    assert.equal(acquireCall('res', buckets, 'r', -40, 1).args[1], 0);
  });
});

describe('settleCall', () => {
  const reservation = { est: '250', tok: JSON.stringify(['t1', 't two']), conc: JSON.stringify(['c1']) };

  it('corrects the token buckets only, when usage arrives (slots are freed by the release)', () => {
    assert.deepEqual(settleCall('res', reservation, 'req_1', 'ev-1', 180, false), {
      keys: ['res', 't1', 't two'],
      args: ['req_1', 'ev-1', 180, 2],
    });
  });

  it('frees the slots on release, leaving tokens alone unless they are refunded whole', () => {
    assert.deepEqual(settleCall('res', reservation, 'req_1', 'release', null, true), { keys: ['res', 'c1'], args: ['req_1', 'release', 0, 0] });
    assert.deepEqual(settleCall('res', reservation, 'req_1', 'release', -1, true), {
      keys: ['res', 't1', 't two', 'c1'],
      args: ['req_1', 'release', -1, 2],
    });
  });

  it('does nothing for a request never admitted through the limiter, or expired', () => {
    assert.equal(settleCall('res', {}, 'req_1', 'ev', 10, true), null);
    assert.equal(settleCall('res', { tok: reservation.tok }, 'req_1', 'ev', 10, true), null);
  });

  it('does nothing when the reservation took nothing this settle touches', () => {
    assert.equal(settleCall('res', { est: '10', tok: '', conc: '' }, 'r', 'ev', 10, true), null);
    assert.equal(settleCall('res', { est: '10', tok: '', conc: JSON.stringify(['c1']) }, 'r', 'ev', 10, false), null, 'usage with slots only');
    assert.equal(settleCall('res', { est: '10', tok: JSON.stringify(['t1']), conc: '' }, 'r', 'release', null, true), null, 'release without refund, tokens only');
  });
});
