import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { TfError } from '@tokenflow/contracts';
import { classifyUpstreamError } from '../providers/upstream-errors';
import { failedOutcome, okOutcome } from './attempt-outcome';

const upstream = (status: number, type: string | null = null, retryAfter?: string) => classifyUpstreamError(status, { message: 'x', code: null, type }, retryAfter);

describe('failedOutcome', () => {
  it('counts what the upstream said about the channel against the channel', () => {
    for (const error of [
      upstream(500),
      upstream(503),
      upstream(529),
      upstream(404),
      upstream(408),
      new TfError('upstream_timeout', 'first byte', { retryable: true }),
      new TfError('upstream_error', 'The upstream closed the stream before it was complete.'),
    ]) {
      assert.deepEqual(failedOutcome(error, true), { kind: 'failed' }, `${error.code}: ${error.message}`);
    }
  });

  it('counts refused credentials, no credit and the upstream’s own 429 against the key alone', () => {
    for (const error of [upstream(401), upstream(403), upstream(402), upstream(429, 'insufficient_quota'), upstream(429, null, '2')]) {
      assert.deepEqual(failedOutcome(error, true), { kind: 'key_failed' }, error.code);
    }
  });

  it('takes a refusal of the caller’s request as a working upstream, without a first token', () => {
    for (const error of [upstream(400), upstream(400, 'context_length_exceeded')]) {
      assert.deepEqual(failedOutcome(error, true), { kind: 'ok', ttftMs: null, outputTokens: 0, streamMs: 0 }, error.code);
    }
  });

  it('ignores cancels, the caller’s deadline and anything that failed before the upstream was called', () => {
    assert.deepEqual(failedOutcome('cancelled', true), { kind: 'neutral' });
    assert.deepEqual(failedOutcome('deadline', true), { kind: 'neutral' });
    // Our own upstream-quota limiter's 429 and a key the channel no longer has: the upstream was never asked.
    assert.deepEqual(failedOutcome(new TfError('rate_limit_exceeded', 'saturated', { retryable: true }), false), { kind: 'neutral' });
    assert.deepEqual(failedOutcome(new TfError('upstream_error', "The channel's key is no longer configured."), false), { kind: 'neutral' });
  });
});

describe('okOutcome', () => {
  it('measures from the request leaving for the upstream to the first chunk, then the streaming time', () => {
    assert.deepEqual(okOutcome({ sentAt: 1_000, firstChunkAt: 1_250, endedAt: 2_250, outputTokens: 40, ttft: true }), { kind: 'ok', ttftMs: 250, outputTokens: 40, streamMs: 1_000 });
  });
  it('gives no time to first token for an answer that is not a token stream, or had no chunk', () => {
    assert.equal((okOutcome({ sentAt: 1_000, firstChunkAt: 1_900, endedAt: 1_900, outputTokens: 0, ttft: false }) as { ttftMs: number | null }).ttftMs, null);
    assert.deepEqual(okOutcome({ sentAt: 1_000, firstChunkAt: null, endedAt: 1_100, outputTokens: 0, ttft: true }), { kind: 'ok', ttftMs: null, outputTokens: 0, streamMs: 0 });
  });
});
