import { strict as assert } from 'node:assert';
import { randomBytes, randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { type RequestLoggedEvent, type RequestLogListRequest, type RequestLogView, Subjects, TfError } from '@tokenflow/contracts';
import { NatsBus } from '@tokenflow/messaging';
import { requestLogged, testUrls, waitFor } from '@tokenflow/testing';
import { Client } from 'pg';
import { RequestLogRepository } from '../src/request-log/request-log.repository';
import { RequestLogRetentionJob } from '../src/request-log/request-log-retention.job';
import { type OwnDatabaseBilling, startOwnDatabaseBilling } from './support/own-database-billing';

/**
 * The request log's store (decision 0020) against the real NATS, Redis and Postgres: billing's consumer of
 * `TF_REQUESTS`, its queries over NATS, an outage, and retention. Its own database, since the outage test locks
 * the table.
 */
describe('request log (real NATS, Redis, Postgres)', () => {
  let billing: OwnDatabaseBilling;
  let bus: NatsBus;
  let sql: Client;
  let repo: RequestLogRepository;
  const accountId = randomUUID();
  const keyId = randomUUID();
  let n = 0;

  function event(over: Partial<RequestLoggedEvent> = {}): RequestLoggedEvent {
    n++;
    const base = { id: `req_${randomBytes(12).toString('hex')}`, at: new Date(Date.UTC(2025, 0, 1) + n * 1_000).toISOString(), accountId, keyId, channelId: 'ch-1' };
    return requestLogged({ ...base, route: 'cat=chat;mode=balanced', category: 'chat', stream: false, latencyMs: 12.5, ttftMs: 11.25, inputTokens: 10, outputTokens: 20, cachedTokens: 0, costNano: '7000', ...over });
  }

  const stored = async (id: string) => (await sql.query(`SELECT count(*)::int AS n FROM billing.request_log WHERE id = $1`, [id])).rows[0].n as number;
  const list = (q: RequestLogListRequest) => bus.request(Subjects.billingRequestsList, q);

  before(async () => {
    billing = await startOwnDatabaseBilling('reqlog');
    ({ bus, sql } = billing);
    repo = billing.app.get(RequestLogRepository);
  });
  after(() => billing?.stop());

  it('stores each published request once, even when it is delivered again, with every field', async () => {
    const e = event({ content: { request: '{"model":"auto","messages":[]}', response: 'data: {"x":1}\n\n', truncated: false } });
    await bus.publishDurable(Subjects.requestLogged, e, e.id);
    // A second copy with another msgId passes the server's dedupe: the consumer gets it twice, the table once.
    await bus.publishDurable(Subjects.requestLogged, e, `${e.id}-again`);
    await waitFor(async () => (await stored(e.id)) === 1, 10_000, 'the entry stored');
    const again = event();
    await bus.publishDurable(Subjects.requestLogged, again, again.id);
    await waitFor(async () => (await stored(again.id)) === 1, 10_000, 'a later entry stored');
    assert.equal(await stored(e.id), 1);
    // And the repository itself: a batch holding stored ids adds only the new ones.
    const fresh = event();
    assert.equal(await repo.insertBatch([e, fresh, fresh]), 1);

    const view: RequestLogView = await bus.request(Subjects.billingRequestGet, { id: e.id });
    assert.deepEqual(view, {
      object: 'request',
      id: e.id,
      created_at: e.at,
      account_id: accountId,
      key_id: keyId,
      method: 'POST',
      path: '/v1/chat/completions',
      endpoint: 'chat',
      requested_model: 'auto',
      served_model: 'deepseek-v3',
      provider: 'deepseek',
      channel_id: 'ch-1',
      route: 'cat=chat;mode=balanced',
      category: 'chat',
      attempts: 1,
      stream: false,
      status: 200,
      error_code: null,
      latency_ms: 12.5,
      ttft_ms: 11.25,
      usage: { input_tokens: 10, output_tokens: 20, reasoning_tokens: null, cached_tokens: 0 },
      cost_usd: '0.000007',
      cost_nano: '7000',
      trace_id: '0af7651916cd43dd8448eb211c80319c',
      has_content: true,
      content: { request: { model: 'auto', messages: [] }, response: 'data: {"x":1}\n\n', truncated: false },
    });
  });

  it('keeps a refused request (no key, no model) and text Postgres could not hold', async () => {
    const e = event({ accountId: null, keyId: null, endpoint: null, requestedModel: 'nul\u0000model', servedModel: null, provider: null, channelId: null, route: null, category: null, attempts: 0, status: 401, errorCode: 'invalid_api_key', ttftMs: null, inputTokens: null, outputTokens: null, cachedTokens: null, costNano: null, traceId: null });
    await bus.publishDurable(Subjects.requestLogged, e, e.id);
    await waitFor(async () => (await stored(e.id)) === 1, 10_000, 'the refused request stored');
    const view = await bus.request(Subjects.billingRequestGet, { id: e.id });
    assert.equal(view.status, 401);
    assert.equal(view.error_code, 'invalid_api_key');
    assert.equal(view.requested_model, 'nul\uFFFDmodel');
    assert.equal(view.cost_usd, null);
    assert.equal(view.has_content, false);
    assert.equal('content' in view, false);
  });

  it('answers 404 for an unknown id', async () => {
    await assert.rejects(
      bus.request(Subjects.billingRequestGet, { id: 'req_nope' }),
      (e: unknown) => e instanceof TfError && e.code === 'not_found' && e.status === 404,
    );
  });

  it('filters and pages newest first with a cursor, each entry once', async () => {
    const acct = randomUUID();
    const key = randomUUID();
    const base = Date.UTC(2025, 5, 1);
    // Two entries share a timestamp: the id breaks the tie, and the cursor must not skip or repeat either.
    const events = Array.from({ length: 23 }, (_, i) =>
      event({
        accountId: acct,
        keyId: i % 2 ? key : randomUUID(),
        at: new Date(base + Math.min(i, 21) * 60_000).toISOString(),
        requestedModel: i % 3 === 0 ? 'auto' : 'gpt-4o',
        servedModel: i % 3 === 0 ? 'qwen-max' : 'gpt-4o',
        status: i % 5 === 0 ? 429 : 200,
        errorCode: i % 5 === 0 ? 'rate_limit_exceeded' : null,
      }),
    );
    assert.equal(await repo.insertBatch(events), 23);
    const newestFirst = [...events].sort((a, b) => (a.at === b.at ? (a.id < b.id ? 1 : -1) : a.at < b.at ? 1 : -1)).map((e) => e.id);

    const seen: string[] = [];
    let after: string | undefined;
    let pages = 0;
    for (;;) {
      const page = await list({ account_id: acct, limit: 5, after });
      pages++;
      assert.equal(page.object, 'list');
      assert.ok(page.data.length <= 5);
      seen.push(...page.data.map((d) => d.id));
      assert.equal(page.data.some((d) => 'content' in d), false, 'no content in lists');
      if (!page.has_more) {
        assert.equal(page.next_cursor, null);
        break;
      }
      after = page.next_cursor!;
    }
    assert.equal(pages, 5);
    assert.deepEqual(seen, newestFirst);

    const ids = async (q: RequestLogListRequest) => (await list({ account_id: acct, limit: 200, ...q })).data.map((d) => d.id);
    const expect = (pred: (e: RequestLoggedEvent) => boolean) => newestFirst.filter((id) => pred(events.find((e) => e.id === id)!));
    assert.deepEqual(await ids({ key_id: key }), expect((e) => e.keyId === key));
    assert.deepEqual(await ids({ model: 'qwen-max' }), expect((e) => e.servedModel === 'qwen-max'));
    assert.deepEqual(await ids({ model: 'auto' }), expect((e) => e.requestedModel === 'auto'));
    assert.deepEqual(await ids({ status: 429 }), expect((e) => e.status === 429));
    assert.deepEqual(await ids({ error_code: 'rate_limit_exceeded', model: 'gpt-4o' }), expect((e) => e.errorCode === 'rate_limit_exceeded' && e.servedModel === 'gpt-4o'));
    const since = new Date(base + 5 * 60_000).toISOString();
    const until = new Date(base + 10 * 60_000).toISOString();
    assert.deepEqual(await ids({ since, until }), expect((e) => e.at >= since && e.at < until));
    assert.equal((await ids({ since, until })).length, 5);

    await assert.rejects(list({ after: 'bogus' }), (e: unknown) => e instanceof TfError && e.code === 'invalid_request' && e.param === 'after');
  });

  it('loses nothing while Postgres cannot take inserts, and stores it all once it can', async () => {
    const locker = new Client({ connectionString: billing.databaseUrl });
    await locker.connect();
    await locker.query('BEGIN');
    await locker.query('LOCK TABLE billing.request_log IN ACCESS EXCLUSIVE MODE');
    const events = Array.from({ length: 30 }, () => event());
    try {
      for (const e of events) await bus.publishDurable(Subjects.requestLogged, e, e.id);
      // Past a failed insert (5 s statement limit) and its redelivery.
      await new Promise((r) => setTimeout(r, 7_000));
    } finally {
      await locker.query('ROLLBACK');
      await locker.end();
    }
    const released = Date.now();
    await waitFor(async () => {
      const r = await sql.query(`SELECT count(*)::int AS n FROM billing.request_log WHERE id = ANY($1)`, [events.map((e) => e.id)]);
      return r.rows[0].n === 30;
    }, 15_000, 'all 30 entries stored after the lock');
    assert.ok(Date.now() - released < 10_000);
  });

  it('retention deletes entries older than the retention in batches, keeps the rest; 0 keeps everything', async () => {
    const now = Date.now();
    const old = Array.from({ length: 12 }, (_, i) => event({ at: new Date(now - (31 + i) * 86_400_000).toISOString() }));
    const recent = Array.from({ length: 3 }, (_, i) => event({ at: new Date(now - (29 - i) * 86_400_000).toISOString() }));
    await repo.insertBatch([...old, ...recent]);
    const base = { REDIS_URL: testUrls.redis, TF_NAMESPACE: billing.ns, REQUEST_LOG_SWEEP_MS: 60_000 };
    assert.equal(await new RequestLogRetentionJob(repo, { ...base, REQUEST_LOG_RETENTION_DAYS: 0 }).sweep(now), 0);
    const count = async (es: RequestLoggedEvent[]) => (await sql.query(`SELECT count(*)::int AS n FROM billing.request_log WHERE id = ANY($1)`, [es.map((e) => e.id)])).rows[0].n as number;
    assert.equal(await count(old), 12);
    // Everything else this suite stored is from 2025 or older than 30 days, so count only what the sweep reports.
    const before = (await sql.query(`SELECT count(*)::int AS n FROM billing.request_log WHERE at < $1`, [new Date(now - 30 * 86_400_000)])).rows[0].n as number;
    assert.equal(await new RequestLogRetentionJob(repo, { ...base, REQUEST_LOG_RETENTION_DAYS: 30 }).sweep(now), before);
    assert.equal(await count(old), 0);
    assert.equal(await count(recent), 3);
    // Bounded batches: 7 rows in batches of 3 is three statements.
    const more = Array.from({ length: 7 }, () => event({ at: new Date(now - 40 * 86_400_000).toISOString() }));
    await repo.insertBatch(more);
    const cutoff = new Date(now - 30 * 86_400_000);
    assert.deepEqual([await repo.deleteBefore(cutoff, 3), await repo.deleteBefore(cutoff, 3), await repo.deleteBefore(cutoff, 3)], [3, 3, 1]);
  });

  it('measures: one batch of 500 in one insert, and 5,000 through the stream', async () => {
    const batch = Array.from({ length: 500 }, () => event());
    const t0 = performance.now();
    assert.equal(await repo.insertBatch(batch), 500);
    const batchMs = performance.now() - t0;
    const many = Array.from({ length: 5_000 }, () => event());
    const t1 = performance.now();
    await Promise.all(many.map((e) => bus.publishDurable(Subjects.requestLogged, e, e.id)));
    await waitFor(async () => {
      const r = await sql.query(`SELECT count(*)::int AS n FROM billing.request_log WHERE id = ANY($1)`, [many.map((e) => e.id)]);
      return r.rows[0].n === 5_000;
    }, 30_000, '5,000 entries stored');
    const streamMs = performance.now() - t1;
    console.log(`request log: batch of 500 inserted in ${batchMs.toFixed(1)} ms (${Math.round(500 / (batchMs / 1000))}/s); 5,000 published and stored in ${streamMs.toFixed(0)} ms (${Math.round(5_000 / (streamMs / 1000))}/s)`);
  });
});
