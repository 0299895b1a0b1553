import { strict as assert } from 'node:assert';
import type { ChildProcess } from 'node:child_process';
import { after, before, describe, it } from 'node:test';
import { waitFor } from '@tokenflow/testing';
import { usageRows } from './support/ledger';
import { adminApi, type Platform, scriptedChannel, startPlatform } from './support/platform';
import { openStream, verdict } from './support/streams';

/**
 * The ingress's graceful shutdown on the whole platform (issue 13, point 2): on SIGTERM readiness turns false at once
 * and new requests get a 503, in-flight streams finish within SHUTDOWN_GRACE_MS or end with an error event (their
 * upstream attempts cancelled and billed for what they produced), NATS drains last, the process exits 0 without an
 * uncaught exception, and every served request is billed exactly once.
 */
describe('ingress shutdown with streams in flight', () => {
  let p: Platform;
  let key: string;
  let accountId: string;
  const served: string[] = [];

  before(async () => {
    p = await startPlatform('ingress-shutdown', { DEFAULT_KEY_RPM: '0' });
    const admin = adminApi(p);
    // 100 tokens at 20/s: a ~5 s stream. 400 at 20/s: ~20 s, past any grace used here.
    await scriptedChannel(p, admin, 'is-5s', 'gpt-4o+tps=20+tokens=100');
    await scriptedChannel(p, admin, 'is-20s', 'gpt-4o+tps=20+tokens=400');
    const acct = await admin<{ id: string }>('POST', '/admin/v1/accounts', { name: 'ingress-shutdown', credit_usd: '50.00' });
    const k = await admin<{ key: string }>('POST', '/admin/v1/keys', { account_id: acct.body.id });
    assert.equal(k.status, 201, JSON.stringify(k.body));
    key = k.body.key;
    accountId = acct.body.id;
  });
  after(async () => {
    if (process.env.E2E_DUMP_LOGS) process.stderr.write(p.logs.filter((l) => l.startsWith('[ingress')).join('\n') + '\n');
    await p?.stop();
  });

  /** Replaces the running ingress by one with `env`, returning its process (the test signals it itself). */
  async function ingressWith(env: NodeJS.ProcessEnv): Promise<ChildProcess> {
    await p.group.stop('ingress');
    const child = p.group.start('ingress', env);
    await waitFor(async () => (await fetch(`${p.baseUrl}/readyz`).catch(() => null))?.status === 200, 30_000, 'ingress ready');
    return child;
  }

  /** SIGTERMs the ingress; resolves with its exit code and how long it took. */
  function terminate(child: ChildProcess): Promise<{ code: number | null; signal: NodeJS.Signals | null; ms: number }> {
    const t0 = Date.now();
    const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null; ms: number }>((resolve) =>
      child.once('exit', (code, signal) => resolve({ code, signal, ms: Date.now() - t0 })),
    );
    child.kill('SIGTERM');
    return exited;
  }

  const ingressLines = (from: number) => p.logs.slice(from).filter((l) => l.startsWith('[ingress] '));

  it('drains: readiness false and new requests refused at once, in-flight streams complete with [DONE], exit 0', async () => {
    const child = await ingressWith({ SHUTDOWN_GRACE_MS: '20000' });
    const mark = p.logs.length;
    const streams = Array.from({ length: 4 }, () => openStream(p.baseUrl, key, 'is-5s'));
    await Promise.all(streams.map((s) => s.started));
    const exited = terminate(child);

    await waitFor(async () => (await fetch(`${p.baseUrl}/readyz`).catch(() => null))?.status === 503, 2_000, 'readiness false');
    const ready = await fetch(`${p.baseUrl}/readyz`);
    assert.deepEqual(await ready.json(), { status: 'draining' });
    const late = await fetch(`${p.baseUrl}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` },
      body: JSON.stringify({ model: 'is-5s', stream: true, messages: [{ role: 'user', content: 'late' }] }),
    });
    assert.equal(late.status, 503);
    assert.equal(((await late.json()) as { error: { code: string; type: string } }).error.type, 'service_unavailable');

    const { code, signal, ms } = await exited;
    assert.deepEqual([code, signal], [0, null], 'exit code 0');
    for (const s of streams) assert.equal(verdict(await s.done), 'complete', `${s.requestId} completed`);
    assert.ok(ms < 20_000, `exited once its streams were done (${ms} ms)`);
    assert.deepEqual(ingressLines(mark).filter((l) => /uncaught|unhandled/i.test(l)), []);
    served.push(...streams.map((s) => s.requestId!));
  });

  it('past a short grace, ends the streams still running with an error event (never silently) and exits 0', async () => {
    const grace = 1_500;
    const child = await ingressWith({ SHUTDOWN_GRACE_MS: String(grace) });
    const mark = p.logs.length;
    const streams = Array.from({ length: 3 }, () => openStream(p.baseUrl, key, 'is-20s'));
    await Promise.all(streams.map((s) => s.started));
    const { code, signal, ms } = await terminate(child);
    assert.deepEqual([code, signal], [0, null], 'exit code 0');
    assert.ok(ms >= grace - 100 && ms < grace + 6_000, `exited after the grace and the cut (${ms} ms)`);
    for (const s of streams) {
      const events = await s.done;
      assert.equal(verdict(events), 'error', `${s.requestId} ended with an error event`);
      const err = (JSON.parse(events.at(-1)!) as { error: { code: string; message: string } }).error;
      assert.equal(err.code, 'service_unavailable');
      assert.match(err.message, /shutting down/);
    }
    assert.deepEqual(ingressLines(mark).filter((l) => /uncaught|unhandled/i.test(l)), []);
    served.push(...streams.map((s) => s.requestId!));
  });

  it('bills every served request exactly once (the cut ones for what they streamed)', async () => {
    await p.group.startAndWait('ingress');
    const rows = await waitFor(async () => {
      const u = await usageRows(p.databaseUrl, accountId);
      return served.every((id) => u.some((row) => row.request_id === id)) ? u : null;
    }, 30_000, 'every served request settled');
    await new Promise((r) => setTimeout(r, 500));
    const settled = await usageRows(p.databaseUrl, accountId);
    for (const id of served) assert.equal(settled.filter((row) => row.request_id === id).length, 1, `${id} billed once`);
    assert.ok(rows.every((row) => row.completion_tokens > 0), 'every served attempt billed for its output');
  });
});
