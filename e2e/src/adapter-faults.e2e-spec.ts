import { strict as assert } from 'node:assert';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { waitFor } from '@tokenflow/testing';
import { usageRows } from './support/ledger';
import { adminApi, type Platform, scriptedChannel, startPlatform } from './support/platform';
import { openStream, verdict } from './support/streams';

/** What the adapter under test lets its in-flight attempts run for after SIGTERM. */
const GRACE_MS = 2_000;

/**
 * The provider-adapter under faults of its own (issue 13): SIGTERM with streams in flight finishes what fits in the
 * grace period, ends the rest with an error event, bills every served attempt once, and exits 0 without a crash.
 */
describe('adapter faults: graceful shutdown with streams in flight', () => {
  let p: Platform;
  let spoolDir: string;
  let key: string;
  let accountId: string;

  before(async () => {
    spoolDir = mkdtempSync(join(tmpdir(), 'tf-spool-e2e-'));
    p = await startPlatform('adapter-faults', { SHUTDOWN_GRACE_MS: String(GRACE_MS), USAGE_SPOOL_DIR: spoolDir, DEFAULT_KEY_RPM: '0' });
    const admin = adminApi(p);
    // 200 tokens at 20/s: ten seconds, far past the grace period. 20 at 40/s: half a second, well inside it.
    await scriptedChannel(p, admin, 'af-long', 'gpt-4o+tps=20+tokens=200');
    await scriptedChannel(p, admin, 'af-short', 'gpt-4o+tps=40+tokens=20');
    const acct = await admin<{ id: string }>('POST', '/admin/v1/accounts', { name: 'adapter-faults', credit_usd: '50.00' });
    const k = await admin<{ key: string }>('POST', '/admin/v1/keys', { account_id: acct.body.id });
    assert.equal(k.status, 201, JSON.stringify(k.body));
    key = k.body.key;
    accountId = acct.body.id;
  });
  after(async () => {
    if (process.env.E2E_DUMP_LOGS) process.stderr.write(p.logs.filter((l) => l.startsWith('[provider-adapter')).join('\n') + '\n');
    await p?.stop();
    rmSync(spoolDir, { recursive: true, force: true });
  });

  it('SIGTERM: stops taking invokes, finishes or cleanly fails its streams, bills each once, exits 0', async () => {
    const replica = await p.extraReplica('provider-adapter');
    try {
      // Both replicas share the queue group: enough long streams that the one under test surely runs some.
      const long = Array.from({ length: 8 }, () => openStream(p.baseUrl, key, 'af-long'));
      await Promise.all(long.map((s) => s.started));
      const short = Array.from({ length: 6 }, () => openStream(p.baseUrl, key, 'af-short'));
      await Promise.all(short.map((s) => s.started));
      const logMark = p.logs.length;
      const t0 = Date.now();
      const stopped = p.group.stop('provider-adapter', 'SIGTERM', GRACE_MS + 15_000);
      // Requests arriving while it drains go to the other replica: none of them fails.
      await new Promise((r) => setTimeout(r, 200));
      const during = Array.from({ length: 4 }, () => openStream(p.baseUrl, key, 'af-short'));
      await stopped;
      const exitMs = Date.now() - t0;

      const adapterLines = p.logs.slice(logMark).filter((l) => l.startsWith('[provider-adapter] '));
      assert.deepEqual(adapterLines.filter((l) => / exited \(/.test(l)), [], 'exit code 0 (ProcessGroup logs any other exit)');
      assert.deepEqual(adapterLines.filter((l) => /unhandled|uncaught/i.test(l)), []);
      assert.ok(exitMs < GRACE_MS + 8_000, `exited within the grace period and its flush (${exitMs} ms)`);

      const results = await Promise.all([...long, ...short, ...during].map(async (s) => ({ s, verdict: verdict(await s.done) })));
      assert.deepEqual(results.filter((r) => r.verdict === 'truncated').map((r) => r.s.requestId), [], 'no stream silently cut');
      assert.ok(
        results.filter((r) => long.includes(r.s)).some((r) => r.verdict === 'error'),
        'the replica under test ran long streams, and ended them with an error event at its deadline',
      );
      assert.ok(results.filter((r) => !long.includes(r.s)).every((r) => r.verdict === 'complete'), 'short streams and late arrivals complete');

      // Every served attempt is in the ledger exactly once (the cut ones for what they had streamed).
      await p.group.startAndWait('provider-adapter');
      const ids = results.map((r) => r.s.requestId!);
      const rows = await waitFor(async () => {
        const u = await usageRows(p.databaseUrl, accountId);
        return ids.every((id) => u.some((row) => row.request_id === id)) ? u : null;
      }, 20_000, 'every request settled');
      await new Promise((r) => setTimeout(r, 500));
      const settled = await usageRows(p.databaseUrl, accountId);
      for (const id of ids) assert.equal(settled.filter((row) => row.request_id === id).length, 1, `${id} billed once`);
      assert.ok(rows.every((row) => row.completion_tokens > 0), 'every served attempt billed for its output');
    } finally {
      await replica.stop();
    }
  });
});
