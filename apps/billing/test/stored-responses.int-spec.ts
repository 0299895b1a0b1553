import { strict as assert } from 'node:assert';
import { randomBytes, randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { type ResponseCarried, type ResponseItem, type StoredResponse, Subjects, TfError } from '@tokenflow/contracts';
import { decode, encode, NatsBus } from '@tokenflow/messaging';
import { testUrls } from '@tokenflow/testing';
import { Client } from 'pg';
import { StoredResponsesRepository } from '../src/responses/stored-responses.repository';
import { StoredResponsesRetentionJob } from '../src/responses/stored-responses-retention.job';
import { type OwnDatabaseBilling, startOwnDatabaseBilling } from './support/own-database-billing';

/** Small bounds, so the suite can cross them: 5 turns, 3 MB of context, 2.5 MB per stored response. */
const MAX_TURNS = 5;
const CONTEXT_MAX_BYTES = 3_000_000;
const STORE_MAX_BYTES = 2_500_000;

/**
 * Stored Responses API responses (decision 0022) against the real NATS, Redis and Postgres: billing's five subjects,
 * account scoping, the continuation chain and its bounds, input item pages, delete, retention, and payloads larger
 * than one NATS message both ways. Its own database.
 */
describe('stored responses (real NATS, Redis, Postgres)', () => {
  let billing: OwnDatabaseBilling;
  let bus: NatsBus;
  let sql: Client;
  let repo: StoredResponsesRepository;
  const accountId = randomUUID();
  const otherAccount = randomUUID();
  const keyId = randomUUID();

  const rid = () => `resp_${randomBytes(24).toString('hex')}`;
  const message = (text: string, role = 'user'): ResponseItem => ({ type: 'message', id: `msg_${randomBytes(8).toString('hex')}`, role, content: [{ type: 'input_text', text }] });
  const answer = (text: string): ResponseItem => ({ type: 'message', id: `msg_${randomBytes(8).toString('hex')}`, role: 'assistant', status: 'completed', content: [{ type: 'output_text', text, annotations: [] }] });

  function turn(input: ResponseItem[], output: ResponseItem[], over: Partial<StoredResponse> = {}): StoredResponse {
    const id = over.id ?? rid();
    const createdAt = over.createdAt ?? Math.floor(Date.now() / 1000);
    return {
      id,
      accountId,
      keyId,
      createdAt,
      model: 'deepseek-v3',
      previousResponseId: null,
      input,
      response: { id, object: 'response', created_at: createdAt, status: 'completed', model: 'deepseek-v3', output, usage: { input_tokens: 3, output_tokens: 5, total_tokens: 8 } },
      ...over,
    };
  }

  /** As ingress's `ResponseStoreClient` does: a payload larger than one message goes as a blob, both ways. */
  async function store(r: StoredResponse): Promise<void> {
    const bytes = encode({ response: r });
    if (bytes.length <= bus.inlineLimit) {
      await bus.request(Subjects.billingResponseStore, { response: r });
      return;
    }
    const blob = bus.serveBlob(bytes);
    try {
      await bus.request(Subjects.billingResponseStore, { carried: blob.ref }, { timeoutMs: 30_000 });
    } finally {
      blob.close();
    }
  }
  async function unwrap<T extends object>(reply: T | ResponseCarried): Promise<T> {
    return 'carried' in reply ? decode<T>(await bus.fetchBlob(reply.carried)) : reply;
  }
  /** The stored Response object: billing sends its JSON text (inline as a string, or the blob's bytes are that text). */
  const get = async (id: string, account: string = accountId): Promise<Record<string, unknown>> => {
    const reply = await bus.request(Subjects.billingResponseGet, { id, accountId: account }, { timeoutMs: 30_000 });
    return 'carried' in reply ? decode(await bus.fetchBlob(reply.carried)) : (JSON.parse(reply.json) as Record<string, unknown>);
  };
  /** A stored response's input items, oldest first (all of them: the tests store fewer than 100). */
  const storedInput = async (id: string) => (await inputItems(id, { order: 'asc', limit: 100 })).data;
  const items = async (refs: { id: string; responseId: string }[], maxBytes = 10_000_000, account: string = accountId) =>
    unwrap(await bus.request(Subjects.billingResponseItems, { refs, accountId: account, maxBytes }, { timeoutMs: 30_000 }));
  const context = async (id: string, account: string = accountId) => unwrap(await bus.request(Subjects.billingResponseContext, { id, accountId: account }, { timeoutMs: 30_000 }));
  const inputItems = async (id: string, q: { after?: string; limit?: number; order?: 'asc' | 'desc' } = {}, account: string = accountId) =>
    unwrap(await bus.request(Subjects.billingResponseInputItems, { id, accountId: account, ...q }));
  const del = (id: string, account: string = accountId) => bus.request(Subjects.billingResponseDelete, { id, accountId: account });

  /** Stores a chain of `n` turns (each one user message, one answer); returns the turns oldest first. */
  async function chain(n: number, size = 0): Promise<StoredResponse[]> {
    const turns: StoredResponse[] = [];
    for (let i = 0; i < n; i++) {
      const t = turn([message(`q${i}${'x'.repeat(size)}`)], [answer(`a${i}`)], { previousResponseId: turns.at(-1)?.id ?? null });
      await store(t);
      turns.push(t);
    }
    return turns;
  }

  const isError = (code: string, param: string | null, message?: RegExp | string) => (err: unknown) => {
    assert.ok(err instanceof TfError, `a TfError, got ${String(err)}`);
    assert.equal(err.code, code);
    assert.equal(err.param, param);
    if (typeof message === 'string') assert.equal(err.message, message);
    else if (message) assert.match(err.message, message);
    return true;
  };
  const notFound = (id: string, param: string | null = null) => isError('not_found', param, `No response found with id '${id}'.`);

  before(async () => {
    billing = await startOwnDatabaseBilling('responses', { RESPONSES_CONTEXT_MAX_TURNS: String(MAX_TURNS), RESPONSES_CONTEXT_MAX_BYTES: String(CONTEXT_MAX_BYTES), RESPONSES_STORE_MAX_BYTES: String(STORE_MAX_BYTES) });
    ({ bus, sql } = billing);
    repo = billing.app.get(StoredResponsesRepository);
  });
  after(() => billing?.stop());

  it('stores a response and reads it back whole; a second store of the same id keeps the first', async () => {
    const t = turn([message('Hello'), { type: 'function_call_output', id: 'fco_1', call_id: 'call_1', output: '{"ok":true}' }], [answer('Hi!')]);
    await store(t);
    assert.deepEqual(await get(t.id), t.response);
    assert.deepEqual(await storedInput(t.id), t.input);
    await store({ ...t, model: 'gpt-4o', response: { ...t.response, model: 'gpt-4o' } });
    assert.deepEqual(await get(t.id), t.response);
    const rows = await sql.query(`SELECT account_id, key_id, model, extract(epoch FROM created_at)::int AS created FROM billing.stored_responses WHERE id = $1`, [t.id]);
    assert.deepEqual(rows.rows, [{ account_id: accountId, key_id: keyId, model: 'deepseek-v3', created: t.createdAt }]);
  });

  it('gives an item without an id one, keeps NUL-bearing text storable, and refuses a malformed store', async () => {
    const t = turn([{ type: 'message', role: 'user', content: 'plain' }, message('nul\u0000here')], [answer('ok')]);
    await store(t);
    const back = await storedInput(t.id);
    assert.match(String(back[0].id), /^msg_[0-9a-f]{48}$/);
    assert.equal((back[1].content as { text: string }[])[0].text, 'nul\uFFFDhere');
    await assert.rejects(bus.request(Subjects.billingResponseStore, { response: { ...t, accountId: 'not-a-uuid' } }), isError('invalid_request', null, /accountId must be a uuid/));
    await assert.rejects(bus.request(Subjects.billingResponseStore, { response: { ...t, input: 'hi' as unknown as ResponseItem[] } }), isError('invalid_request', null, /input must be a list/));
  });

  it("another account's id is not found for every read and delete, exactly like an unknown id, and stays stored", async () => {
    const [t] = await chain(1);
    await assert.rejects(get(t.id, otherAccount), notFound(t.id));
    await assert.rejects(inputItems(t.id, {}, otherAccount), notFound(t.id));
    await assert.rejects(context(t.id, otherAccount), notFound(t.id, 'previous_response_id'));
    await assert.rejects(del(t.id, otherAccount), notFound(t.id));
    const unknown = rid();
    await assert.rejects(get(unknown), notFound(unknown));
    await assert.rejects(get('x'.repeat(500)), isError('not_found', null));
    await assert.rejects(get(t.id, 'not-a-uuid'), notFound(t.id));
    assert.equal((await get(t.id)).id, t.id);
  });

  it("a continuation's context is the chain, oldest first: each turn's input items, then its output items", async () => {
    const turns = await chain(3);
    const { items } = await context(turns[2].id);
    const expected = turns.flatMap((t) => [...t.input, ...(t.response.output as ResponseItem[])]);
    assert.deepEqual(items, expected);
    assert.deepEqual(
      items.map((i) => (i.content as { text: string }[])[0].text),
      ['q0', 'a0', 'q1', 'a1', 'q2', 'a2'],
    );
    // A link to another account's response is not followed: the chain is scoped too.
    const foreign = turn([message('secret')], [answer('secret')], { accountId: otherAccount });
    await store(foreign);
    const mine = turn([message('mine')], [answer('mine')], { previousResponseId: foreign.id });
    await store(mine);
    await assert.rejects(context(mine.id), isError('invalid_request', 'previous_response_id', /no longer exists/));
  });

  it('resolves item references in one request: in order, input and output items, null for unknown or foreign ones; bounded in bytes', async () => {
    const hex = () => randomBytes(24).toString('hex');
    const [a, b] = [hex(), hex()];
    const mine = turn([{ ...message('asked'), id: `msg_${a}_in0` }], [{ ...answer('answered'), id: `msg_${a}` }], { id: `resp_${a}` });
    const foreign = turn([message('secret')], [{ ...answer('secret'), id: `msg_${b}` }], { id: `resp_${b}`, accountId: otherAccount });
    await store(mine);
    await store(foreign);
    const refs = [
      { id: `msg_${a}`, responseId: `resp_${a}` },
      { id: `msg_${b}`, responseId: `resp_${b}` },
      { id: `msg_${a}_in0`, responseId: `resp_${a}` },
      { id: `msg_${a}_in7`, responseId: `resp_${a}` },
      { id: 'x'.repeat(500), responseId: `resp_${a}` },
    ];
    const reply = await items(refs);
    assert.deepEqual(reply.items, [(mine.response.output as ResponseItem[])[0], null, mine.input[0], null, null]);
    const exact = reply.bytes;
    assert.ok(exact > 100 && exact < 1_000, String(exact));
    assert.deepEqual((await items(refs, exact)).bytes, exact);
    await assert.rejects(items(refs, exact - 1), isError('request_too_large', 'input', new RegExp(`${exact} bytes, more than the ${exact - 1}`)));
    assert.deepEqual((await items(refs.slice(0, 1), 10_000_000, otherAccount)).items, [null]);
    // A large item travels as a blob, like any reply above the inline size.
    const c = hex();
    const big = turn([{ ...message('z'.repeat(1_200_000)), id: `msg_${c}_in0` }], [answer('ok')], { id: `resp_${c}` });
    await store(big);
    const [item] = (await items([{ id: `msg_${c}_in0`, responseId: `resp_${c}` }])).items;
    assert.equal(((item?.content as { text: string }[])[0]).text.length, 1_200_000);
  });

  it('a continuation reports the size of what it adds (context_bytes)', async () => {
    const turns = await chain(2);
    const { bytes } = await context(turns[1].id);
    const sum = await sql.query(`SELECT sum(context_bytes)::int AS n FROM billing.stored_responses WHERE id = ANY($1)`, [turns.map((t) => t.id)]);
    assert.equal(bytes, sum.rows[0].n);
  });

  it(`bounds the chain: ${MAX_TURNS} turns continue, one more is a 400 naming previous_response_id`, async () => {
    const turns = await chain(MAX_TURNS + 1);
    assert.equal((await context(turns[MAX_TURNS - 1].id)).items.length, MAX_TURNS * 2);
    await assert.rejects(context(turns[MAX_TURNS].id), isError('invalid_request', 'previous_response_id', new RegExp(`more than ${MAX_TURNS} turns`)));
  });

  it('bounds the size: one response larger than a NATS message stores and continues (as blobs); the chain past the cap is a 400; a store past its cap is a 413', async () => {
    const turns = await chain(2, 1_600_000);
    const one = await context(turns[0].id);
    assert.equal(one.items.length, 2);
    assert.equal((one.items[0].content as { text: string }[])[0].text.length, 1_600_002);
    assert.deepEqual(await storedInput(turns[1].id), turns[1].input);
    assert.deepEqual(await get(turns[1].id), turns[1].response);
    const cap = await sql.query(`SELECT context_bytes::int AS n FROM billing.stored_responses WHERE id = $1`, [turns[1].id]);
    assert.ok(cap.rows[0].n > 1_600_000 && cap.rows[0].n < 1_700_000, String(cap.rows[0].n));
    await assert.rejects(context(turns[1].id), isError('invalid_request', 'previous_response_id', new RegExp(`larger than ${CONTEXT_MAX_BYTES} bytes`)));
    const huge = turn([message('y'.repeat(STORE_MAX_BYTES))], [answer('no')]);
    await assert.rejects(store(huge), isError('request_too_large', 'store', /too large to store/));
    await assert.rejects(get(huge.id), notFound(huge.id));
  });

  it('pages input items newest first by default and oldest first with order=asc, after an item id', async () => {
    const items = Array.from({ length: 5 }, (_, i) => message(`m${i}`));
    const t = turn(items, [answer('done')]);
    await store(t);
    const ids = items.map((i) => i.id);
    const page1 = await inputItems(t.id, { limit: 2 });
    assert.deepEqual(page1, { object: 'list', data: [items[4], items[3]], first_id: ids[4], last_id: ids[3], has_more: true });
    const page2 = await inputItems(t.id, { limit: 2, after: page1.last_id! });
    assert.deepEqual(page2.data.map((i) => i.id), [ids[2], ids[1]]);
    assert.equal(page2.has_more, true);
    const page3 = await inputItems(t.id, { limit: 2, after: page2.last_id! });
    assert.deepEqual(page3, { object: 'list', data: [items[0]], first_id: ids[0], last_id: ids[0], has_more: false });
    const asc = await inputItems(t.id, { order: 'asc', limit: 3 });
    assert.deepEqual(asc.data.map((i) => i.id), ids.slice(0, 3));
    assert.equal(asc.has_more, true);
    const asc2 = await inputItems(t.id, { order: 'asc', after: asc.last_id! });
    assert.deepEqual(asc2.data.map((i) => i.id), ids.slice(3));
    assert.equal(asc2.has_more, false);
    assert.deepEqual((await inputItems(t.id)).data.map((i) => i.id), [...ids].reverse());
    const empty = await inputItems(t.id, { after: ids[0] });
    assert.deepEqual(empty, { object: 'list', data: [], first_id: null, last_id: null, has_more: false });
    await assert.rejects(inputItems(t.id, { after: 'msg_nope' }), isError('invalid_request', 'after', /No input item with id 'msg_nope'/));
    await assert.rejects(inputItems(t.id, { limit: 0 }), isError('invalid_request', 'limit'));
    await assert.rejects(inputItems(t.id, { limit: 101 }), isError('invalid_request', 'limit'));
    await assert.rejects(inputItems(t.id, { order: 'up' as 'asc' }), isError('invalid_request', 'order'));
  });

  it('deletes for good: then 404 everywhere, and continuing from it (or from a later turn) fails clearly', async () => {
    const turns = await chain(3);
    assert.deepEqual(await del(turns[1].id), { id: turns[1].id, object: 'response', deleted: true });
    assert.equal((await sql.query(`SELECT count(*)::int AS n FROM billing.stored_responses WHERE id = $1`, [turns[1].id])).rows[0].n, 0);
    await assert.rejects(get(turns[1].id), notFound(turns[1].id));
    await assert.rejects(inputItems(turns[1].id), notFound(turns[1].id));
    await assert.rejects(del(turns[1].id), notFound(turns[1].id));
    await assert.rejects(context(turns[1].id), notFound(turns[1].id, 'previous_response_id'));
    await assert.rejects(
      context(turns[2].id),
      isError('invalid_request', 'previous_response_id', `The conversation ending at response '${turns[2].id}' cannot be continued: its earlier response '${turns[1].id}' no longer exists (deleted or past retention). Start a new conversation, sending the turns you need as input.`),
    );
    assert.equal((await context(turns[0].id)).items.length, 2);
  });

  it('retention deletes responses older than the retention in batches, keeps the rest; 0 keeps everything', async () => {
    const now = Date.now();
    const day = 86_400;
    const old = Array.from({ length: 7 }, (_, i) => turn([message('old')], [answer('old')], { createdAt: Math.floor(now / 1000) - (31 + i) * day }));
    const recent = turn([message('new')], [answer('new')], { createdAt: Math.floor(now / 1000) - 29 * day });
    for (const t of [...old, recent]) await store(t);
    const base = { REDIS_URL: testUrls.redis, TF_NAMESPACE: billing.ns, RESPONSES_SWEEP_MS: 60_000 };
    assert.equal(await new StoredResponsesRetentionJob(repo, { ...base, RESPONSES_RETENTION_DAYS: 0 }).sweep(now), 0);
    const count = async (ts: StoredResponse[]) => (await sql.query(`SELECT count(*)::int AS n FROM billing.stored_responses WHERE id = ANY($1)`, [ts.map((t) => t.id)])).rows[0].n as number;
    assert.equal(await count(old), 7);
    const cutoff = new Date(now - 30 * day * 1000);
    assert.deepEqual([await repo.deleteBefore(cutoff, 3), await repo.deleteBefore(cutoff, 3)], [3, 3]);
    assert.equal(await new StoredResponsesRetentionJob(repo, { ...base, RESPONSES_RETENTION_DAYS: 30 }).sweep(now), 1);
    assert.equal(await count(old), 0);
    assert.equal(await count([recent]), 1);
    await assert.rejects(get(old[0].id), notFound(old[0].id));
  });
});
