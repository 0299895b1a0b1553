import { strict as assert } from 'node:assert';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { type ResponseItem, type StoredResponse, Streams, Subjects } from '@tokenflow/contracts';
import { encode, NatsBus } from '@tokenflow/messaging';
import { testUrls } from '@tokenflow/testing';
import OpenAI from 'openai';
import { adminApi, type Platform, startPlatform } from './support/platform';

/**
 * Stored responses (decision 0022) through the whole platform with the official `openai` SDK: `responses.retrieve`,
 * `responses.inputItems.list` and `responses.delete`, scoped to the key's account. Responses are seeded through
 * billing's own subject (as ingress stores them), so these tests do not depend on how `POST /v1/responses` answers;
 * the last two create and continue one through it.
 */
/** A small body limit, so a request with its stored items can cross it. */
const BODY_LIMIT = 2 * 1024 * 1024;

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

  /**
   * Stores a response of the owner's account the way ingress does after answering with `store: true`: item ids carry
   * the response's hex (`msg_<hex>` its answer), so `item_reference`s can name them. Larger than a NATS message, as a blob.
   */
  async function seed(input: ResponseItem[], text = 'stored answer', hex = randomBytes(24).toString('hex')): Promise<StoredResponse> {
    const id = `resp_${hex}`;
    const createdAt = Math.floor(Date.now() / 1000);
    const output = [{ type: 'message', id: `msg_${hex}`, role: 'assistant', status: 'completed', content: [{ type: 'output_text', text, annotations: [] }] }];
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
    const bytes = encode({ response: stored });
    if (bytes.length <= bus.inlineLimit) assert.deepEqual(await bus.request(Subjects.billingResponseStore, { response: stored }), { stored: true });
    else {
      const blob = bus.serveBlob(bytes);
      assert.deepEqual(await bus.request(Subjects.billingResponseStore, { carried: blob.ref }, { timeoutMs: 30_000 }), { stored: true });
      blob.close();
    }
    return stored;
  }

  const notFound = (id: string) => (err: unknown) => {
    assert.ok(err instanceof OpenAI.NotFoundError, `a 404, got ${String(err)}`);
    assert.deepEqual(err.error, { message: `No response found with id '${id}'.`, type: 'invalid_request_error', param: null, code: 'not_found' });
    return true;
  };

  before(async () => {
    p = await startPlatform('stored-responses', { BODY_LIMIT_BYTES: String(BODY_LIMIT) });
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
    const first = await owner.client.responses.create({ model: 'deepseek-v3', input: `First turn. ${'remember this '.repeat(40)}` });
    const second = await owner.client.responses.create({ model: 'deepseek-v3', input: 'Second turn.', previous_response_id: first.id });
    assert.equal(second.status, 'completed');
    // The mock counts the prompt it got: the first turn's input and answer are in it.
    assert.ok(second.usage!.input_tokens > first.usage!.input_tokens + first.output_text.length / 4, `${second.usage!.input_tokens} vs ${first.usage!.input_tokens} + ${first.usage!.output_tokens}`);
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

  /** The prompt tokens of `input` on deepseek-v3 (the mock counts ~4 characters a token). */
  const promptOf = async (input: OpenAI.Responses.ResponseInput) =>
    (await owner.client.responses.create({ model: 'deepseek-v3', input, store: false })).usage!.input_tokens;
  const ref = (id: string) => ({ type: 'item_reference' as const, id });
  const itemNotFound = (id: string) => (err: unknown) => {
    assert.ok(err instanceof OpenAI.NotFoundError, `a 404, got ${String(err)}`);
    assert.deepEqual(err.error, { message: `Item with id '${id}' not found.`, type: 'invalid_request_error', param: 'input', code: 'not_found' });
    return true;
  };

  it("item_reference to the account's own stored items: their content reaches the model, answers and inputs alike", async () => {
    const hex = randomBytes(24).toString('hex');
    const stored = await seed([{ ...message(`question ${'q'.repeat(800)}`), id: `msg_${hex}_in0` }], `answer ${'a'.repeat(2_000)}`, hex);
    const alone = await promptOf([{ role: 'user', content: 'And now?' }]);
    const withAnswer = await owner.client.responses.create({ model: 'deepseek-v3', input: [ref(`msg_${hex}`), { role: 'user', content: 'And now?' }] });
    assert.equal(withAnswer.status, 'completed');
    assert.ok(withAnswer.usage!.input_tokens >= alone + 500, `the referenced answer reached the model (${withAnswer.usage!.input_tokens} vs ${alone})`);
    const both = await promptOf([ref(`msg_${hex}_in0`), ref(`msg_${hex}`), { role: 'user', content: 'And now?' }]);
    assert.ok(both >= withAnswer.usage!.input_tokens + 200, `the referenced question too (${both})`);
    // Stored with the items the references resolved to.
    const items = await owner.client.responses.inputItems.list(withAnswer.id, { order: 'asc' });
    assert.deepEqual(items.data[0], JSON.parse(JSON.stringify(stored.response.output))[0]);
  });

  it('item_reference: an unknown item and another account\'s item are 404s naming input, as OpenAI; a duplicate is a 400', async () => {
    const stored = await seed([message('mine')]);
    const mine = `msg_${stored.id.slice(5)}`;
    const unknown = `msg_${randomBytes(24).toString('hex')}`;
    await assert.rejects(owner.client.responses.create({ model: 'deepseek-v3', input: [ref(unknown)] }), itemNotFound(unknown));
    await assert.rejects(owner.client.responses.create({ model: 'deepseek-v3', input: [ref('msg_not_ours')] }), itemNotFound('msg_not_ours'));
    await assert.rejects(stranger.client.responses.create({ model: 'deepseek-v3', input: [ref(mine), { role: 'user', content: 'steal' }] }), itemNotFound(mine));
    await assert.rejects(owner.client.responses.create({ model: 'deepseek-v3', input: [ref(mine), ref(mine), { role: 'user', content: 'twice' }] }), (err: unknown) => {
      assert.ok(err instanceof OpenAI.BadRequestError, String(err));
      assert.equal((err.error as { param: string }).param, 'input');
      assert.match(err.message, new RegExp(`Duplicate item found with id ${mine}`));
      return true;
    });
  });

  it('item_reference: items of more than 16 stored responses in one request (as the AI SDK sends a long conversation)', async () => {
    const turns = await Promise.all(Array.from({ length: 24 }, (_, i) => seed([message(`turn ${i}`)], `answer ${i} ${'w'.repeat(200)}`)));
    const input: OpenAI.Responses.ResponseInput = turns.flatMap((t, i) => [{ role: 'user' as const, content: `turn ${i}` }, ref(`msg_${t.id.slice(5)}`)]);
    const r = await owner.client.responses.create({ model: 'deepseek-v3', input: [...input, { role: 'user', content: 'sum up' }] });
    assert.equal(r.status, 'completed');
    assert.ok(r.usage!.input_tokens >= 24 * 50, `every referenced answer reached the model (${r.usage!.input_tokens})`);
  });

  it('item_reference: a request that with its referenced items exceeds the body limit is a 413 naming input', async () => {
    const hex = randomBytes(24).toString('hex');
    await seed([message('big')], 'b'.repeat(1_200_000), hex);
    const own = 'o'.repeat(900_000);
    await assert.rejects(owner.client.responses.create({ model: 'deepseek-v3', input: [ref(`msg_${hex}`), { role: 'user', content: own }] }), (err: unknown) => {
      assert.ok(err instanceof OpenAI.APIError && err.status === 413, `a 413, got ${String(err)}`);
      assert.equal((err.error as { param: string; code: string }).param, 'input');
      assert.equal((err.error as { param: string; code: string }).code, 'request_too_large');
      return true;
    });
    // GET passes the stored JSON through, large or small.
    const back = await owner.client.responses.retrieve(`resp_${hex}`);
    assert.equal(back.output_text.length, 1_200_000);
  });
});
