import { strict as assert } from 'node:assert';
import { after, before, describe, it } from 'node:test';
import { waitFor } from '@tokenflow/testing';
import { post, streamEvents } from './support/http';
import { withDb } from './support/ledger';
import { adminApi, type Platform, startPlatform } from './support/platform';

/**
 * Issue 13 point 5: "after a fresh install, none of 16 completed requests settled within 15 s". The platform here
 * starts from an empty NATS namespace (no stream, no consumer), an empty Redis namespace and a new database, like
 * a fresh install; the very first requests must be in the ledger within 2 s of their answer.
 */
describe('settlement lag from a fresh install', () => {
  let p: Platform;
  let admin: ReturnType<typeof adminApi>;

  before(async () => {
    p = await startPlatform('settlelag');
    admin = adminApi(p);
  });
  after(async () => p?.stop());

  const settledAt = (requestIds: string[]) =>
    withDb(p.databaseUrl, async (c) => {
      const r = await c.query(`SELECT request_id FROM billing.ledger_entries WHERE kind = 'usage' AND request_id = ANY($1::text[])`, [requestIds]);
      return new Set(r.rows.map((row: { request_id: string }) => row.request_id));
    });

  it('settles the first 16 requests (streaming and not) within 2 s of their answers', async () => {
    const body = { model: 'gpt-4o', max_tokens: 16, messages: [{ role: 'user', content: 'hello' }] };
    const answers = await Promise.all(
      Array.from({ length: 16 }, async (_, i) => {
        if (i % 2 === 0) {
          const r = await post(p.baseUrl, '/v1/chat/completions', p.key, body);
          assert.equal(r.status, 200, JSON.stringify(r.json));
          return { id: r.headers.get('x-request-id') as string, at: Date.now() };
        }
        const res = await fetch(`${p.baseUrl}/v1/chat/completions`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization: `Bearer ${p.key}` },
          body: JSON.stringify({ ...body, stream: true }),
        });
        assert.equal(res.status, 200);
        assert.match(await res.text(), /data: \[DONE\]/);
        return { id: res.headers.get('x-request-id') as string, at: Date.now() };
      }),
    );
    assert.ok(answers.every((a) => a.id), 'every answer names its request');
    const last = Math.max(...answers.map((a) => a.at));
    const ids = answers.map((a) => a.id);
    const seen = await waitFor(async () => {
      const s = await settledAt(ids);
      return s.size === ids.length ? s : null;
    }, 15_000, 'all 16 requests in the ledger').catch(async () => settledAt(ids));
    const lag = Date.now() - last;
    assert.equal(seen.size, 16, `${seen.size} of 16 settled after ${lag} ms`);
    assert.ok(lag < 2_000, `the first requests took ${lag} ms to settle (must be < 2 s)`);

    // The admin view agrees: nothing pending, nothing parked, no lag.
    const v = await admin<{ ok: boolean; settlement: { pending: number; parked: number; oldest_unsettled_seconds: number } }>('GET', '/admin/v1/ledger/verify');
    assert.equal(v.status, 200);
    assert.ok(v.body.settlement, 'verify reports settlement');
    assert.equal(v.body.settlement.parked, 0);
    assert.equal(v.body.settlement.pending, 0);
    assert.equal(v.body.settlement.oldest_unsettled_seconds, 0);
  });

  it('exposes the lag on /metrics and the parked events through the admin API', async () => {
    const metrics = await (await fetch(`${p.baseUrl}/metrics`)).text();
    assert.match(metrics, /^tokenflow_settlement_oldest_unsettled_seconds\{service="ingress"\} 0$/m);
    assert.match(metrics, /^tokenflow_ledger_unavailable\{service="ingress"\} 0$/m);
    const list = await admin<{ object: string; data: unknown[] }>('GET', '/admin/v1/usage/parked?all=true');
    assert.equal(list.status, 200);
    assert.deepEqual(list.body, { object: 'list', data: [] });
    assert.deepEqual((await admin('POST', '/admin/v1/usage/parked/replay')).body, { replayed: 0, failed: [] });
    const unknown = await admin<{ error: { code: string } }>('POST', '/admin/v1/usage/parked/12345/replay');
    assert.equal(unknown.status, 404);
    assert.equal((await admin('GET', '/admin/v1/usage/parked?limit=0')).status, 400);
  });

  it('keeps settling promptly after the first minute of streams (a second wave)', async () => {
    const r = await streamEvents(p.baseUrl, p.key, { model: 'gpt-4o', max_tokens: 8, messages: [{ role: 'user', content: 'again' }] });
    assert.equal(r.status, 200);
    const done = Date.now();
    const before = await withDb(p.databaseUrl, async (c) => (await c.query(`SELECT count(*)::int AS n FROM billing.ledger_entries WHERE kind = 'usage'`)).rows[0].n as number);
    await waitFor(async () => {
      const n = await withDb(p.databaseUrl, async (c) => (await c.query(`SELECT count(*)::int AS n FROM billing.ledger_entries WHERE kind = 'usage'`)).rows[0].n as number);
      return n >= before ? true : null;
    }, 2_000, 'the streamed request settled');
    assert.ok(Date.now() - done < 2_000);
  });
});
