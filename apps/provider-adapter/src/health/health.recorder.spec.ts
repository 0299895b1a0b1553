import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { type HealthReport, MAX_TTFT_SAMPLES } from '@tokenflow/contracts';
import type { NatsBus } from '@tokenflow/messaging';
import type { AttemptOutcome } from './attempt-outcome';
import { HealthRecorder } from './health.recorder';

/** The recorder over a stand-in bus that keeps what it would broadcast. */
function setup(intervalMs = 1_000) {
  const sent: { subject: string; report: HealthReport }[] = [];
  const bus = { emit: (subject: string, report: HealthReport) => void sent.push({ subject, report }) } as unknown as NatsBus;
  return { sut: new HealthRecorder(bus, { HEALTH_REPORT_MS: intervalMs }), sent };
}

const a = { channelId: 'ch-a', keyRef: 'key-a', model: 'm' };
const b = { channelId: 'ch-a', keyRef: 'key-b', model: 'm' };
const ok = (ttftMs: number | null, outputTokens = 10, streamMs = 100): AttemptOutcome => ({ kind: 'ok', ttftMs, outputTokens, streamMs });

describe('HealthRecorder', () => {
  it('sums one interval per channel key, with what is in flight at its end', () => {
    const { sut } = setup();
    for (let i = 0; i < 5; i++) sut.started(a);
    sut.started(b);
    sut.ended(a, ok(200, 30, 600));
    sut.ended(a, ok(300, 10, 400));
    sut.ended(a, { kind: 'failed' });
    sut.ended(a, { kind: 'key_failed' });
    const [ra, rb] = sut.collect();
    assert.deepEqual(ra, { channelId: 'ch-a', keyRef: 'key-a', model: 'm', inFlight: 1, ok: 2, failed: 1, keyFailed: 1, ttftMs: [200, 300], outputTokens: 40, streamMs: 1_000 });
    assert.deepEqual(rb, { channelId: 'ch-a', keyRef: 'key-b', model: 'm', inFlight: 1, ok: 0, failed: 0, keyFailed: 0, ttftMs: [], outputTokens: 0, streamMs: 0 });
  });

  it('starts every interval from zero but keeps the in-flight count', () => {
    const { sut } = setup();
    sut.started(a);
    sut.started(a);
    sut.ended(a, ok(100));
    sut.collect();
    // Nothing happened, yet one attempt still runs: the routers must keep hearing it.
    assert.deepEqual(sut.collect(), [{ channelId: 'ch-a', keyRef: 'key-a', model: 'm', inFlight: 1, ok: 0, failed: 0, keyFailed: 0, ttftMs: [], outputTokens: 0, streamMs: 0 }]);
  });

  it('reports a key once more at in-flight 0 after its last attempt ends, then forgets it', () => {
    const { sut } = setup();
    sut.started(a);
    assert.equal(sut.collect()[0].inFlight, 1);
    sut.ended(a, { kind: 'neutral' });
    const last = sut.collect();
    assert.equal(last.length, 1, 'the drain is reported');
    assert.equal(last[0].inFlight, 0);
    assert.equal(last[0].ok + last[0].failed + last[0].keyFailed, 0, 'a cancel counts for nothing');
    assert.deepEqual(sut.collect(), [], 'then nothing: the entry is gone');
    assert.equal((sut as unknown as { windows: Map<string, unknown> }).windows.size, 0, 'memory follows the keys in use');
  });

  it(`keeps at most ${MAX_TTFT_SAMPLES} first-token samples per key and interval, drawn from all of them`, () => {
    const { sut } = setup();
    for (let i = 0; i < 1_000; i++) {
      sut.started(a);
      sut.ended(a, ok(i, 1, 1));
    }
    const [r] = sut.collect();
    assert.equal(r.ok, 1_000);
    assert.equal(r.outputTokens, 1_000);
    assert.equal(r.ttftMs.length, MAX_TTFT_SAMPLES);
    assert.ok(r.ttftMs.some((t) => t >= MAX_TTFT_SAMPLES), 'later attempts are sampled too, not only the first ones');
    assert.equal(new Set(r.ttftMs).size, MAX_TTFT_SAMPLES);
  });

  it('never lets in-flight go negative on an end it did not see start', () => {
    const { sut } = setup();
    sut.ended(a, { kind: 'failed' });
    assert.equal(sut.collect()[0].inFlight, 0);
  });

  it('broadcasts one report per interval on an unref’d timer, nothing while idle, and stops on shutdown', async () => {
    const { sut, sent } = setup(50);
    sut.onApplicationBootstrap();
    try {
      const timer = (sut as unknown as { timer: NodeJS.Timeout }).timer;
      assert.equal(timer.hasRef(), false, 'the timer never keeps the process alive');
      for (let i = 0; i < 100; i++) {
        sut.started(a);
        sut.ended(a, ok(5));
      }
      await new Promise((r) => setTimeout(r, 80));
      assert.equal(sent.length, 1, 'a hundred attempts, one message');
      const [{ subject, report }] = sent;
      assert.equal(subject, 'tf.adapter.health-report.v1');
      assert.equal(report.replica, sut.replica);
      assert.equal(report.intervalMs, 50);
      assert.equal(report.targets[0].ok, 100);
      await new Promise((r) => setTimeout(r, 150));
      assert.equal(sent.length, 1, 'an idle replica sends nothing');
    } finally {
      sut.onModuleDestroy();
    }
    sut.started(b);
    await new Promise((r) => setTimeout(r, 120));
    assert.equal(sent.length, 1, 'no report after shutdown');
  });

  it('gives every replica its own id', () => {
    assert.notEqual(setup().sut.replica, setup().sut.replica);
  });
});
