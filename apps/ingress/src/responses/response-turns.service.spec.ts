import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { type KeyPrincipal, type ResponseItemRef, TfError } from '@tokenflow/contracts';
import { Registry } from 'prom-client';
import type { ResponseStoreClient } from './response-store.client';
import { approxJsonBytes, ResponseTurns } from './response-turns.service';

const principal = { accountId: '00000000-0000-4000-8000-000000000001', keyId: '00000000-0000-4000-8000-000000000002' } as KeyPrincipal;
const ctx = { requestId: 'r1' };
const hex = (n: number) => n.toString(16).padStart(48, '0');

/** `sut` over a store that knows the items of `known` (id → item) and reports `historyBytes` for any continuation. */
function setup(known: Record<string, Record<string, unknown>> = {}, historyBytes = 0) {
  const calls: { refs: ResponseItemRef[]; maxBytes: number }[] = [];
  const store = {
    items: (refs: ResponseItemRef[], _account: string, maxBytes: number) => {
      calls.push({ refs, maxBytes });
      const items = refs.map((r) => known[r.id] ?? null);
      return Promise.resolve({ items, bytes: items.reduce((n, i) => n + (i ? JSON.stringify(i).length : 0), 0) });
    },
    context: () => Promise.resolve({ items: [{ type: 'message', role: 'user', content: 'earlier' }], bytes: historyBytes }),
  } as unknown as ResponseStoreClient;
  return { sut: new ResponseTurns(store, new Registry()), calls };
}

const ref = (id: string) => ({ type: 'item_reference', id });
const refused = async (p: Promise<unknown>, status: number, param: string, message?: RegExp) => {
  await assert.rejects(p, (err: unknown) => {
    assert.ok(err instanceof TfError, String(err));
    assert.equal(err.status, status);
    assert.equal(err.param, param);
    if (message) assert.match(err.message, message);
    return true;
  });
};

describe('ResponseTurns', () => {
  it('resolves references to items of many responses (more than 16) in one store request, in place', async () => {
    const known = Object.fromEntries(Array.from({ length: 40 }, (_, i) => [`msg_${hex(i)}`, { type: 'message', id: `msg_${hex(i)}`, role: 'assistant', content: [] }]));
    const { sut, calls } = setup(known);
    const input = [{ type: 'message', role: 'user', content: 'q' }, ...Object.keys(known).map(ref), { type: 'item_reference', id: 'rs_x' }];
    const out = await sut.resolve(input, principal, ctx, 1_000);
    assert.equal(calls.length, 1);
    assert.equal(calls[0].refs.length, 40);
    assert.equal(calls[0].maxBytes, 1_000);
    assert.deepEqual(calls[0].refs[3], { id: `msg_${hex(3)}`, responseId: `resp_${hex(3)}` });
    assert.deepEqual(out.items, [input[0], ...Object.values(known)], 'references to reasoning are dropped');
    assert.ok(out.bytes > 0);
  });

  it('refuses an item id given twice — referenced or inline — with a 400 naming input, before asking the store', async () => {
    const { sut, calls } = setup();
    await refused(sut.resolve([ref(`msg_${hex(1)}`), ref(`msg_${hex(1)}`)], principal, ctx, 1_000), 400, 'input', /Duplicate item found with id msg_/);
    await refused(sut.resolve([{ type: 'message', id: 'm1', role: 'user', content: 'a' }, ref('m1')], principal, ctx, 1_000), 400, 'input', /Duplicate/);
    await refused(sut.resolve([ref('rs_1'), ref('rs_1')], principal, ctx, 1_000), 400, 'input');
    assert.equal(calls.length, 0);
  });

  it('an unknown, foreign or not-ours item is a 404 naming input, as OpenAI', async () => {
    const { sut } = setup();
    await refused(sut.resolve([ref(`msg_${hex(9)}`)], principal, ctx, 1_000), 404, 'input', /Item with id 'msg_0+9' not found\./);
    await refused(sut.resolve([ref('msg_someone_elses')], principal, ctx, 1_000), 404, 'input');
  });

  it('bounds what a request pulls from the store: its own bytes, history and references together within the body limit', async () => {
    const item = { type: 'message', id: `msg_${hex(1)}`, role: 'assistant', content: [{ type: 'output_text', text: 'x'.repeat(100) }] };
    const { sut, calls } = setup({ [item.id]: item }, 500);
    const ok = await sut.context('resp_prev', [ref(item.id)], principal, ctx, 100, 10_000);
    assert.equal(calls[0].maxBytes, 9_900, 'references get what the limit leaves after the request itself');
    assert.equal(ok.addedBytes, 500 + JSON.stringify(item).length);
    await refused(sut.context('resp_prev', [ref(item.id)], principal, ctx, 100, 700), 413, 'input', /more than the 700 a request may be/);
    await refused(sut.context('resp_prev', [{ type: 'message', role: 'user', content: 'hi' }], principal, ctx, 300, 700), 413, 'previous_response_id');
  });

  it('estimates a value’s JSON size in a bounded walk: too many nodes count as large', () => {
    assert.ok(approxJsonBytes({ output: [{ text: 'x'.repeat(1000) }] }) > 1000);
    assert.equal(approxJsonBytes(Array.from({ length: 100_000 }, () => 1)), Number.POSITIVE_INFINITY);
  });
});
