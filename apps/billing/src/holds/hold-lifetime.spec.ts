import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { lostHoldCutoff, lostHoldRelease } from './hold-lifetime';

describe('lostHoldCutoff', () => {
  it('is the hold lifetime plus the grace before now: younger holds may still be released normally', () => {
    const now = Date.parse('2026-05-01T12:00:00Z');
    assert.deepEqual(lostHoldCutoff(now, 15 * 60_000, 5 * 60_000), new Date('2026-05-01T11:40:00Z'));
  });
});

describe('lostHoldRelease', () => {
  it('records the release with the ledger amount, exactly, as lost', () => {
    const { event } = lostHoldRelease({ requestId: 'req_1', accountId: 'a', keyId: 'k', amountNano: 9007199254740993n });
    assert.deepEqual(event, { requestId: 'req_1', accountId: 'a', keyId: 'k', amountNano: '9007199254740993', reason: 'lost' });
  });

  it('has a key id even when the ledger has none', () => {
    assert.equal(lostHoldRelease({ requestId: 'r', accountId: 'a', keyId: null, amountNano: 1n }).event.keyId, '');
  });

  it('uses its own msgId, so JetStream cannot dedupe it against the ingress or release-now message of the request', () => {
    const { msgId } = lostHoldRelease({ requestId: 'req_1', accountId: 'a', keyId: null, amountNano: 1n });
    assert.equal(msgId, 'lost:req_1');
    assert.notEqual(msgId, 'release:req_1');
    assert.notEqual(msgId, 'freed:req_1');
  });
});
