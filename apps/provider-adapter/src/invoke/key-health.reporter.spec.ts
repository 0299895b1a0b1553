import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { type KeyFailedEvent, type PlannedAttempt, TfError } from '@tokenflow/contracts';
import type { NatsBus } from '@tokenflow/messaging';
import { classifyUpstreamError, openAiErrorInfo } from '../providers/upstream-errors';
import { KeyHealthReporter } from './key-health.reporter';

function setup() {
  const events: { subject: string; event: KeyFailedEvent }[] = [];
  const bus = { emit: (subject: string, event: KeyFailedEvent) => void events.push({ subject, event }) } as unknown as NatsBus;
  return { sut: new KeyHealthReporter(bus), events };
}

const attempt = { channelId: 'ch-1', keyRef: 'fp-0123' } as PlannedAttempt;
const upstream = (status: number, body: object, retryAfter?: string) => classifyUpstreamError(status, openAiErrorInfo(JSON.stringify(body)), retryAfter);

describe('KeyHealthReporter', () => {
  it('benches a key whose credentials or credit the upstream refused', () => {
    const { sut, events } = setup();
    sut.report(attempt, upstream(401, { error: { message: 'bad key' } }));
    sut.report(attempt, upstream(429, { error: { message: 'quota', type: 'insufficient_quota' } }));
    assert.deepEqual(events, [
      { subject: 'tf.router.key-failed.v1', event: { channelId: 'ch-1', keyFingerprint: 'fp-0123', reason: 'auth' } },
      { subject: 'tf.router.key-failed.v1', event: { channelId: 'ch-1', keyFingerprint: 'fp-0123', reason: 'quota' } },
    ]);
  });

  it('cools a rate-limited key down for the Retry-After the upstream asked for', () => {
    const { sut, events } = setup();
    sut.report(attempt, upstream(429, { error: { message: 'slow down', type: 'rate_limit_exceeded' } }, '2'));
    sut.report(attempt, upstream(429, { error: { message: 'slow down' } }));
    assert.deepEqual(
      events.map((e) => e.event),
      [
        { channelId: 'ch-1', keyFingerprint: 'fp-0123', reason: 'rate_limited', retryAfterMs: 2_000 },
        // No Retry-After: the router's default cool-down applies.
        { channelId: 'ch-1', keyFingerprint: 'fp-0123', reason: 'rate_limited' },
      ],
    );
  });

  it('leaves an overloaded upstream (529, 503: the channel is busy, not the key) and other failures to the channel', () => {
    const { sut, events } = setup();
    sut.report(attempt, upstream(529, { type: 'error', error: { type: 'overloaded_error', message: 'Overloaded' } }, '3'));
    sut.report(attempt, upstream(503, { error: { message: 'engine overloaded' } }, '3'));
    sut.report(attempt, upstream(500, { error: { message: 'boom' } }));
    sut.report(attempt, upstream(400, { error: { message: 'bad request' } }));
    sut.report(attempt, new TfError('upstream_timeout', 'slow', { retryable: true }));
    assert.deepEqual(events, []);
  });
});
