import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { type RateLimitAcquireReply, TfError } from '@tokenflow/contracts';
import { recordCompensations } from '../../test/support/lifecycle-fakes';
import { RequestSaga } from './request-saga';

const LIMITS: RateLimitAcquireReply = { requests: null, tokens: null, degraded: false, reserved: true };

function admitted(effects = recordCompensations()) {
  const saga = new RequestSaga('req_1', effects);
  saga.startRound();
  saga.limitsTaken(LIMITS);
  saga.holdPlaced();
  return { saga, effects };
}

describe('RequestSaga', () => {
  it('on success leaves the hold to the usage event and keeps the TPM estimate for it to correct', async () => {
    const { saga, effects } = admitted();
    saga.attemptAccepted();
    saga.attemptEnded();
    await saga.endRound();
    saga.endCall();
    assert.deepEqual(effects.log, ['limits req_1 refund=false']);
  });

  it('gives the hold and the TPM estimate back when every attempt failed before any output', async () => {
    const { saga, effects } = admitted();
    saga.attemptAccepted();
    saga.attemptRefused();
    saga.attemptAccepted();
    saga.attemptRefused();
    await saga.endRound();
    saga.endCall();
    assert.deepEqual(effects.log, ['hold req_1', 'limits req_1 refund=true']);
  });

  it('gives the hold back when the round fails before an attempt started (no adapter can bill)', async () => {
    const { saga, effects } = admitted();
    await saga.endRound();
    saga.endCall();
    assert.deepEqual(effects.log, ['hold req_1', 'limits req_1 refund=true']);
  });

  it('stops a running attempt once when the client leaves, and leaves its hold to that attempt\'s usage', async () => {
    const { saga, effects } = admitted();
    saga.attemptAccepted();
    saga.clientDisconnected();
    saga.clientDisconnected();
    await saga.endRound();
    saga.endCall();
    assert.deepEqual(effects.log, ['cancel req_1 client_disconnected', 'limits req_1 refund=false']);
    assert.equal(saga.clientLeft, true);
  });

  it('stops an attempt still running when the round ends without its last frame (deadline)', async () => {
    const { saga, effects } = admitted();
    saga.attemptAccepted();
    await saga.endRound();
    saga.endCall();
    assert.deepEqual(effects.log, ['cancel req_1 deadline', 'limits req_1 refund=false']);
  });

  it('cancels nothing when the client leaves after the last frame or before any attempt', async () => {
    const early = admitted();
    early.saga.clientDisconnected();
    early.saga.attemptAccepted();
    early.saga.attemptEnded();
    await early.saga.endRound();
    assert.deepEqual(early.effects.log, []);
    const late = admitted();
    late.saga.attemptAccepted();
    late.saga.attemptEnded();
    late.saga.clientDisconnected();
    await late.saga.endRound();
    assert.deepEqual(late.effects.log, []);
  });

  it('releases nothing for a hold billing refused, and durably releases one it may have placed unheard', async () => {
    const refused = recordCompensations();
    const a = new RequestSaga('req_a', refused);
    a.startRound();
    a.limitsTaken(LIMITS);
    await a.holdFailed(new TfError('insufficient_quota', 'broke'));
    await a.endRound();
    a.endCall();
    assert.deepEqual(refused.log, ['limits req_a refund=true']);

    const unknown = recordCompensations();
    const b = new RequestSaga('req_b', unknown);
    b.startRound();
    b.limitsTaken(LIMITS);
    await b.holdFailed(new TfError('service_unavailable', 'billing did not answer'));
    await b.endRound();
    b.endCall();
    assert.deepEqual(unknown.log, ['unknown-hold req_b', 'limits req_b refund=true']);
  });

  it('keeps the TPM estimate when an earlier round\'s adapter will still bill, however the last round ended', async () => {
    const { saga, effects } = admitted();
    saga.attemptAccepted();
    saga.attemptEnded();
    await saga.endRound();
    saga.startRound();
    await saga.holdFailed(new TfError('insufficient_quota', 'broke'));
    await saga.endRound();
    saga.endCall();
    assert.deepEqual(effects.log, ['limits req_1 refund=false']);
  });

  it('gives each round its own ledger id and hold, and keeps the call\'s limits until the call ends', async () => {
    const { saga, effects } = admitted();
    assert.equal(saga.requestId, 'req_1');
    saga.attemptAccepted();
    saga.attemptRefused();
    await saga.endRound();
    assert.equal(saga.startRound(), 'req_1-r1');
    saga.limitsTaken({ ...LIMITS, reserved: false });
    assert.equal(saga.admittedLimits, LIMITS, 'a later round reuses the first admission');
    saga.holdPlaced();
    saga.attemptAccepted();
    saga.attemptEnded();
    await saga.endRound();
    saga.endCall();
    saga.endCall();
    assert.deepEqual(effects.log, ['hold req_1', 'limits req_1 refund=false']);
  });
});
