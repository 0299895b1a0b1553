import { strict as assert } from 'node:assert';
import { after, before, describe, it } from 'node:test';
import type { INestApplicationContext } from '@nestjs/common';
import { type HealthReport, type KeyFailedEvent, MAX_TTFT_SAMPLES, type PlannedAttempt, Streams, Subjects, type TargetStats, USAGE_STREAM } from '@tokenflow/contracts';
import { NatsBus } from '@tokenflow/messaging';
import { freePort, testNamespace, testUrls, waitFor } from '@tokenflow/testing';
import { createAdapterApp } from '../src/adapter.app';
import { adapterEnvSchema } from '../src/config';
import { drain, invokeRequest, plannedAttempt, routerStandIn, startMockProvider } from './adapter.testing';

const INTERVAL_MS = 100;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('provider-adapter health reports (real NATS, mock upstream over HTTP)', () => {
  const ns = testNamespace('adhealth');
  let app: INestApplicationContext;
  let bus: NatsBus;
  let mock: { url: string; close(): Promise<void> };
  const reports: { at: number; report: HealthReport }[] = [];
  const keyFailed: KeyFailedEvent[] = [];
  /** One channel (and key) per scenario, so each one's counts stand alone. */
  const channels = ['ch-ok', 'ch-fail', 'ch-key', 'ch-caller', 'ch-long', 'ch-cancel', 'ch-burst'];
  const keyOf = (channelId: string) => `sk-mock-${channelId}`;

  const attempt = (channelId: string, model: string, t: Partial<PlannedAttempt['timeouts']> = {}, baseUrl = `${mock.url}/v1`) => plannedAttempt(baseUrl, channelId, keyOf(channelId), model, t);
  async function invoke(a: PlannedAttempt) {
    const { req, inbox } = invokeRequest(bus, a);
    await bus.request(Subjects.adapterInvoke, req, { ctx: { deadline: Date.now() + 30_000 } });
    return { req, inbox };
  }
  const run = async (a: PlannedAttempt) => drain((await invoke(a)).inbox);
  /** What the reports say about one channel's key, summed over every interval. */
  const mentions = (channelId: string) => reports.flatMap(({ at, report }) => report.targets.filter((t) => t.channelId === channelId).map((t) => ({ at, ...t })));
  const totals = (channelId: string) =>
    mentions(channelId).reduce(
      (sum, t) => ({ ok: sum.ok + t.ok, failed: sum.failed + t.failed, keyFailed: sum.keyFailed + t.keyFailed, ttftMs: [...sum.ttftMs, ...t.ttftMs], outputTokens: sum.outputTokens + t.outputTokens }),
      { ok: 0, failed: 0, keyFailed: 0, ttftMs: [] as number[], outputTokens: 0 },
    );
  /** The key's last report at in-flight 0 has arrived (every attempt on it ended and was reported). */
  const settled = (channelId: string) => waitFor(() => mentions(channelId).at(-1)?.inFlight === 0, 5_000, `${channelId} drained`);

  before(async () => {
    mock = await startMockProvider();
    bus = await routerStandIn(ns, new Map(channels.map((c) => [c, [keyOf(c)]])));
    await bus.durable.ensureStream(Streams.usage);
    bus.on(Subjects.adapterHealthReport, (report) => void reports.push({ at: Date.now(), report }));
    bus.on(Subjects.routerKeyFailed, (ev) => void keyFailed.push(ev));
    await bus.flush();
    app = await createAdapterApp(adapterEnvSchema.parse({ NATS_URL: testUrls.nats, TF_NAMESPACE: ns, HEALTH_REPORT_MS: String(INTERVAL_MS), LOG_LEVEL: 'error' }));
  });
  after(async () => {
    await app.close();
    await bus.durable.deleteStream(USAGE_STREAM);
    await bus.close();
    await mock.close();
  });

  it('counts successes with their first-token times and tokens, channel failures, key failures and refused requests', async () => {
    const ends = await Promise.all([1, 2, 3].map(() => run(attempt('ch-ok', 'gpt-4o'))));
    const outputTokens = ends.reduce((n, frames) => {
      const end = frames.at(-1)!;
      assert.equal(end.type, 'end');
      return n + (end.type === 'end' ? end.usage!.completion_tokens : 0);
    }, 0);
    // The channel's failures: a 5xx, an overloaded upstream, a silent one, a stream cut mid-body, a refused connection.
    await run(attempt('ch-fail', 'gpt-4o+fail=500'));
    await run(attempt('ch-fail', 'gpt-4o+fail=overloaded'));
    await run(attempt('ch-fail', 'gpt-4o+fail=timeout', { firstByteMs: 300 }));
    await run(attempt('ch-fail', 'gpt-4o+fail=disconnect+fail-after=2'));
    await run(attempt('ch-fail', 'gpt-4o', {}, `http://127.0.0.1:${await freePort()}/v1`));
    // The key's own failures.
    await run(attempt('ch-key', 'gpt-4o+fail=401'));
    await run(attempt('ch-key', 'gpt-4o+fail=quota'));
    await run(attempt('ch-key', 'gpt-4o+fail=429+retry-after=2'));
    // The caller's mistakes: the upstream worked.
    await run(attempt('ch-caller', 'gpt-4o+fail=400'));
    await run(attempt('ch-caller', 'gpt-4o+fail=context'));

    await Promise.all(['ch-ok', 'ch-fail', 'ch-key', 'ch-caller'].map(settled));
    await sleep(2 * INTERVAL_MS); // nothing is counted twice in later intervals
    const ok = totals('ch-ok');
    assert.deepEqual({ ...ok, ttftMs: ok.ttftMs.length }, { ok: 3, failed: 0, keyFailed: 0, ttftMs: 3, outputTokens });
    assert.ok(outputTokens > 0);
    assert.ok(ok.ttftMs.every((t) => t >= 0 && t < 2_000), `${ok.ttftMs}`);
    assert.ok(mentions('ch-ok').some((t) => t.streamMs >= 0));
    assert.deepEqual(totals('ch-fail'), { ok: 0, failed: 5, keyFailed: 0, ttftMs: [], outputTokens: 0 });
    assert.deepEqual(totals('ch-key'), { ok: 0, failed: 0, keyFailed: 3, ttftMs: [], outputTokens: 0 });
    assert.deepEqual(totals('ch-caller'), { ok: 2, failed: 0, keyFailed: 0, ttftMs: [], outputTokens: 0 });

    // The router hears about the key at once (a key-failed event), the 429 with its Retry-After; nothing for the channel's failures.
    const fp = mentions('ch-key')[0].keyRef;
    await waitFor(() => keyFailed.length >= 3, 2_000, 'key-failed events');
    assert.deepEqual(
      keyFailed.map((e) => ({ ...e })),
      [
        { channelId: 'ch-key', keyFingerprint: fp, reason: 'auth' },
        { channelId: 'ch-key', keyFingerprint: fp, reason: 'quota' },
        { channelId: 'ch-key', keyFingerprint: fp, reason: 'rate_limited', retryAfterMs: 2_000 },
      ],
    );
    const replicas = new Set(reports.map((r) => r.report.replica));
    assert.equal(replicas.size, 1, 'one replica, one id');
    assert.ok(reports.every((r) => r.report.intervalMs === INTERVAL_MS));
    assert.ok(reports.every((r) => r.report.targets.every((t: TargetStats) => t.ttftMs.length <= MAX_TTFT_SAMPLES)));
  });

  it('reports attempts in flight every interval, once more at zero when they end, then nothing', async () => {
    const long = await invoke(attempt('ch-long', 'gpt-4o+tokens=12+tps=12')); // about a second of streaming
    const cancelled = await invoke(attempt('ch-cancel', 'gpt-4o+tokens=400+tps=40'));
    assert.equal((await cancelled.inbox.next(5_000)).type, 'chunk');
    await waitFor(() => mentions('ch-long').filter((t) => t.inFlight === 1).length >= 3, 3_000, 'in-flight reports');
    bus.emit(Subjects.adapterCancel, { requestId: cancelled.req.requestId, reason: 'client_disconnected' }, cancelled.req.requestId);
    cancelled.inbox.close();
    assert.equal((await drain(long.inbox)).at(-1)!.type, 'end');
    await Promise.all(['ch-long', 'ch-cancel'].map(settled));
    await sleep(3 * INTERVAL_MS);

    const longReports = mentions('ch-long');
    assert.equal(longReports.filter((t) => t.inFlight === 0).length, 1, 'one last report at zero');
    assert.equal(longReports.at(-1)!.inFlight, 0, 'and then none');
    assert.deepEqual({ ...totals('ch-long'), ttftMs: totals('ch-long').ttftMs.length }, { ok: 1, failed: 0, keyFailed: 0, ttftMs: 1, outputTokens: 12 });
    assert.ok(longReports.reduce((ms, t) => ms + t.streamMs, 0) >= 500, 'the time spent streaming, for tokens per second');
    // A client that went away says nothing about the channel.
    assert.equal(mentions('ch-cancel').at(-1)!.inFlight, 0);
    assert.deepEqual(totals('ch-cancel'), { ok: 0, failed: 0, keyFailed: 0, ttftMs: [], outputTokens: 0 });
  });

  it('sends one report per interval however many attempts run, and none while idle', async () => {
    const from = reports.length;
    const started = Date.now();
    await Promise.all(Array.from({ length: 30 }, () => run(attempt('ch-burst', 'gpt-4o+tokens=4'))));
    await settled('ch-burst');
    const elapsed = Date.now() - started;
    const sent = reports.length - from;
    assert.ok(sent <= Math.ceil(elapsed / INTERVAL_MS) + 1, `${sent} reports in ${elapsed} ms`);
    assert.equal(totals('ch-burst').ok, 30);
    await sleep(2 * INTERVAL_MS);
    const idle = reports.length;
    await sleep(4 * INTERVAL_MS);
    assert.equal(reports.length, idle, 'an idle replica sends nothing');
  });
});
