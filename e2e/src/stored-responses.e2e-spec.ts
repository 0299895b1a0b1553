import { strict as assert } from 'node:assert';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { type ResponseItem, type StoredResponse, Streams, Subjects } from '@tokenflow/contracts';
import { NatsBus } from '@tokenflow/messaging';
import { testUrls } from '@tokenflow/testing';
import OpenAI from 'openai';
import { adminApi, type Platform, startPlatform } from './support/platform';

/**
 * Stored responses (decision 0022) through the whole platform with the official `openai` SDK: `responses.retrieve`,
 * `responses.inputItems.list` and `responses.delete`, scoped to the key's account. Responses are seeded through
 * billing's own subject (as ingress stores them), so these tests do not depend on how `POST /v1/responses` answers;
 * the last two create and continue one through it.
 */
describe('stored responses through the openai SDK', () => {
  let p: Platform;
  let bus: NatsBus;
  let owner: { client: OpenAI; accountId: string; keyId: string };
  let stranger: { client: OpenAI; accountId: string; keyId: string };

  async function newKey(name: string) {
    const admin = adminApi(p);
    const acct = await admin<{ id: string }>('POST', '/admin/v1/accounts', { name, credit_usd: '10.00' });
    const key = await admin<{ id: string; key: string }>('POST', '/admin/v1/keys', { account_id: acct.body.id, rpm_limit: 1_000_000 });
    assert.equal(key.status, 201, JSON.stringify(key.body));
    return { client: new OpenAI({ apiKey: key.body.key, baseURL: `${p.baseUrl}/v1`, maxRetries: 0 }), accountId: acct.body.id, keyId: key.body.id };
  }

  const message = (text: string): ResponseItem => ({ type: 'message', id: `msg_${randomBytes(12).toString('hex')}`, role: 'user', content: [{ type: 'input_text', text }] });

  /** Stores a response of the owner's account the way ingress does after answering with `store: true`. */
  async function seed(input: ResponseItem[], text = 'stored answer'): Promise<StoredResponse> {
    const id = `resp_${randomBytes(24).toString('hex')}`;
    const createdAt = Math.floor(Date.now() / 1000);
    const output = [{ type: 'message', id: `msg_${randomBytes(12).toString('hex')}`, role: 'assistant', status: 'completed', content: [{ type: 'output_text', text, annotations: [] }] }];
    const stored: StoredResponse = {
      id,
      accountId: owner.accountId,
      keyId: owner.keyId,
      createdAt,
      model: 'deepseek-v3',
      previousResponseId: null,
      input,
      response: {
        id,
        object: 'response',
        created_at: createdAt,
        status: 'completed',
        model: 'deepseek-v3',
        output,
        parallel_tool_calls: true,
        tool_choice: 'auto',
        tools: [],
        usage: { input_tokens: 4, input_tokens_details: { cached_tokens: 0 }, output_tokens: 2, output_tokens_details: { reasoning_tokens: 0 }, total_tokens: 6 },
      },
    };
    assert.deepEqual(await bus.request(Subjects.billingResponseStore, { response: stored }), { stored: true });
    return stored;
  }

  const notFound = (id: string) => (err: unknown) => {
    assert.ok(err instanceof OpenAI.NotFoundError, `a 404, got ${String(err)}`);
    assert.deepEqual(err.error, { message: `No response found with id '${id}'.`, type: 'invalid_request_error', param: null, code: 'not_found' });
    return true;
  };

  before(async () => {
    p = await startPlatform('stored-responses');
    bus = await NatsBus.connect({ url: testUrls.nats, name: 'e2e-stored-responses', namespace: p.namespace });
    owner = await newKey('responses-owner');
    stranger = await newKey('responses-stranger');
  });
  after(async () => {
    await p?.stop();
    if (bus) {
      for (const stream of Object.values(Streams)) await bus.durable.deleteStream(stream.name);
      await bus.close();
    }
  });

  it('retrieves a stored response as the Response object it was', async () => {
    const stored = await seed([message('What is 2+2?')], '4');
    const r = await owner.client.responses.retrieve(stored.id);
    assert.deepEqual(JSON.parse(JSON.stringify(r)), { ...stored.response, output_text: '4' });
    assert.equal(r.output_text, '4');
  });

  it('lists input items newest first, page by page, and oldest first with order=asc; include is accepted', async () => {
    const items = Array.from({ length: 5 }, (_, i) => message(`item ${i}`));
    const stored = await seed(items);
    const ids = items.map((i) => i.id);
    const first = await owner.client.responses.inputItems.list(stored.id, { limit: 2 });
    assert.deepEqual(first.data.map((i) => i.id), [ids[4], ids[3]]);
    assert.equal(first.has_more, true);
    assert.equal(first.hasNextPage(), true);
    const second = await first.getNextPage();
    assert.deepEqual(second.data.map((i) => i.id), [ids[2], ids[1]]);
    const all: string[] = [];
    for await (const item of owner.client.responses.inputItems.list(stored.id, { limit: 2 })) all.push(item.id);
    assert.deepEqual(all, [...ids].reverse());
    const asc: string[] = [];
    for await (const item of owner.client.responses.inputItems.list(stored.id, { order: 'asc', limit: 3, include: ['message.input_image.image_url'] })) asc.push(item.id);
    assert.deepEqual(asc, ids);
    const after = await owner.client.responses.inputItems.list(stored.id, { order: 'asc', after: ids[1] });
    assert.deepEqual(after.data, items.slice(2));
  });

  it('refuses a bad input_items query with a 400 naming the parameter', async () => {
    const stored = await seed([message('q')]);
    const cases: [Record<string, unknown>, string][] = [
      [{ limit: 0 }, 'limit'],
      [{ limit: 101 }, 'limit'],
      [{ order: 'sideways' }, 'order'],
      [{ include: ['everything'] }, 'include'],
      [{ after: 'msg_not_here' }, 'after'],
    ];
    for (const [query, param] of cases) {
      await assert.rejects(owner.client.responses.inputItems.list(stored.id, query as OpenAI.Responses.InputItemListParams), (err: unknown) => {
        assert.ok(err instanceof OpenAI.BadRequestError, `${JSON.stringify(query)}: a 400, got ${String(err)}`);
        assert.equal((err.error as { param: string }).param, param);
        return true;
      });
    }
  });

  it('deletes a stored response: then it is a 404 for retrieve, input items and delete', async () => {
    const stored = await seed([message('forget me')]);
    // Typed void by the SDK; the body is OpenAI's deletion object.
    const deleted: unknown = await owner.client.responses.delete(stored.id);
    assert.deepEqual(deleted, { id: stored.id, object: 'response', deleted: true });
    await assert.rejects(owner.client.responses.retrieve(stored.id), notFound(stored.id));
    await assert.rejects(owner.client.responses.inputItems.list(stored.id), notFound(stored.id));
    await assert.rejects(owner.client.responses.delete(stored.id), notFound(stored.id));
  });

  it("another account's key gets 404 for retrieve, input items and delete, and the response stays", async () => {
    const stored = await seed([message('mine only')]);
    await assert.rejects(stranger.client.responses.retrieve(stored.id), notFound(stored.id));
    await assert.rejects(stranger.client.responses.inputItems.list(stored.id), notFound(stored.id));
    await assert.rejects(stranger.client.responses.delete(stored.id), notFound(stored.id));
    const unknown = `resp_${randomBytes(24).toString('hex')}`;
    await assert.rejects(owner.client.responses.retrieve(unknown), notFound(unknown));
    assert.equal((await owner.client.responses.retrieve(stored.id)).id, stored.id);
  });

  it('needs an API key', async () => {
    const res = await fetch(`${p.baseUrl}/v1/responses/resp_x`);
    assert.equal(res.status, 401);
  });

  it('POST /v1/responses with store: true is retrievable, with its input items', async () => {
    const created = await owner.client.responses.create({ model: 'deepseek-v3', input: 'Remember the word "teal".', store: true });
    const back = await owner.client.responses.retrieve(created.id);
    assert.equal(back.id, created.id);
    assert.deepEqual(back.output, created.output);
    const items = await owner.client.responses.inputItems.list(created.id);
    assert.equal(items.data.length, 1);
    assert.equal(items.data[0].type, 'message');
    await assert.rejects(stranger.client.responses.retrieve(created.id), notFound(created.id));
  });

  it('continues a stored response with previous_response_id, and not after it was deleted', async () => {
    const first = await owner.client.responses.create({ model: 'deepseek-v3', input: 'First turn.' });
    const second = await owner.client.responses.create({ model: 'deepseek-v3', input: 'Second turn.', previous_response_id: first.id });
    assert.equal(second.status, 'completed');
    assert.equal((await owner.client.responses.retrieve(second.id)).previous_response_id, first.id);
    await owner.client.responses.delete(first.id);
    await assert.rejects(owner.client.responses.create({ model: 'deepseek-v3', input: 'Third.', previous_response_id: first.id }), (err: unknown) => {
      assert.ok(err instanceof OpenAI.NotFoundError, String(err));
      assert.equal((err.error as { param: string | null }).param, 'previous_response_id');
      return true;
    });
    await assert.rejects(owner.client.responses.create({ model: 'deepseek-v3', input: 'Third.', previous_response_id: second.id }), (err: unknown) => {
      assert.ok(err instanceof OpenAI.BadRequestError, String(err));
      assert.match(err.message, /no longer exists/);
      return true;
    });
    await assert.rejects(stranger.client.responses.create({ model: 'deepseek-v3', input: 'Steal.', previous_response_id: second.id }), (err: unknown) => err instanceof OpenAI.NotFoundError);
  });
});
