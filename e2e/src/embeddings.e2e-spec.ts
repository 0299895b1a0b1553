import { strict as assert } from 'node:assert';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { createOpenAI } from '@ai-sdk/openai';
import { waitFor } from '@tokenflow/testing';
import { SEED_MODELS, SEED_VERSION, seed } from '@tokenflow/tools';
import { embed, embedMany } from 'ai';
import OpenAI from 'openai';
import { usageRows } from './support/ledger';
import { adminApi, type Platform, startPlatform } from './support/platform';

/** The embedding models `npm start` seeds, their provider and price (USD per 1M input tokens, billing migration 1765700000000). */
const EMBEDDING_MODELS = [
  { id: 'text-embedding-3-small', provider: 'openai', usdPerMtok: '0.02' },
  { id: 'text-embedding-3-large', provider: 'openai', usdPerMtok: '0.13' },
  { id: 'text-embedding-v3', provider: 'qwen', usdPerMtok: '0.07' },
  { id: 'embedding-3', provider: 'zhipu', usdPerMtok: '0.07' },
] as const;

describe('embeddings out of the box, and legacy completions on chat-only models (issue 15)', () => {
  let p: Platform;
  let client: OpenAI;
  let admin: ReturnType<typeof adminApi>;

  before(async () => {
    p = await startPlatform('embeddings');
    client = new OpenAI({ apiKey: p.key, baseURL: `${p.baseUrl}/v1`, maxRetries: 0 });
    admin = adminApi(p);
  });
  after(() => p?.stop());

  it('the seed puts every embedding model on its provider\'s channel, and a re-seed adds them to an older channel', async () => {
    for (const m of EMBEDDING_MODELS) assert.ok(SEED_MODELS.some((s) => s.id === m.id && s.provider === m.provider), m.id);
    type Channel = { id: string; name: string; models: string[]; model_mapping: Record<string, string> };
    const channels = async () => (await admin<{ data: Channel[] }>('GET', '/admin/v1/channels')).body.data;
    for (const m of EMBEDDING_MODELS) {
      const ch = (await channels()).find((c) => c.name === `mock-${m.provider}`)!;
      assert.ok(ch.models.includes(m.id), `${m.id} on ${ch.name}`);
      assert.equal(ch.model_mapping[m.id], m.id);
    }
    // A channel seeded before the embedding models existed.
    const openai = (await channels()).find((c) => c.name === 'mock-openai')!;
    const r = await admin('PATCH', `/admin/v1/channels/${openai.id}`, { models: ['gpt-4o'], model_mapping: { 'gpt-4o': 'gpt-4o' } });
    assert.equal(r.status, 200, JSON.stringify(r.body));
    const stateFile = join(mkdtempSync(join(tmpdir(), 'tf-seed-')), 's.json');
    await seed({ ingressUrl: p.baseUrl, adminKey: p.adminKey, mockUrl: p.mockUrl, stateFile, env: {} });
    const reseeded = (await channels()).find((c) => c.name === 'mock-openai')!;
    assert.deepEqual([...reseeded.models].sort(), ['gpt-4o', 'text-embedding-3-large', 'text-embedding-3-small']);
    assert.equal((JSON.parse(readFileSync(stateFile, 'utf8')) as { seedVersion?: number }).seedVersion, SEED_VERSION, 'the run records its version');

    // Regression: every `npm start` re-added any seed model missing from a channel, undoing an operator's removal.
    const removed = await admin('PATCH', `/admin/v1/channels/${openai.id}`, { models: ['gpt-4o', 'text-embedding-3-small'] });
    assert.equal(removed.status, 200, JSON.stringify(removed.body));
    await seed({ ingressUrl: p.baseUrl, adminKey: p.adminKey, mockUrl: p.mockUrl, stateFile, env: {} });
    const kept = (await channels()).find((c) => c.name === 'mock-openai')!;
    assert.deepEqual([...kept.models].sort(), ['gpt-4o', 'text-embedding-3-small'], 'a model the operator removed stays removed');
    const restored = await admin('PATCH', `/admin/v1/channels/${openai.id}`, { models: ['gpt-4o', 'text-embedding-3-small', 'text-embedding-3-large'] });
    assert.equal(restored.status, 200, JSON.stringify(restored.body));
  });

  it('/v1/models lists the embedding models with their type, output modality and price', async () => {
    const list = await client.models.list();
    const cards = new Map(list.data.map((m) => [m.id, m as unknown as Record<string, unknown>]));
    for (const m of EMBEDDING_MODELS) {
      const card = cards.get(m.id);
      assert.ok(card, `${m.id} listed`);
      assert.equal(card.type, 'embedding');
      assert.deepEqual(card.output_modalities, ['embedding']);
      assert.equal(card.owned_by, m.provider);
      assert.deepEqual(card.pricing, { input_usd_per_mtok: m.usdPerMtok, output_usd_per_mtok: '0.00' });
    }
    assert.equal(cards.get('deepseek-v3')?.type, 'chat');
  });

  it('embeds on each model through its provider\'s wire format: floats and base64, batches, usage, cost header, ledger', async () => {
    const before = (await usageRows(p.databaseUrl, p.accountId)).length;
    for (const m of EMBEDDING_MODELS) {
      const floats = await client.embeddings.create({ model: m.id, input: 'The food was delicious', encoding_format: 'float' });
      assert.equal(floats.object, 'list');
      assert.equal(floats.model, m.id);
      assert.equal(floats.data.length, 1);
      assert.ok(floats.data[0].embedding.length > 0 && floats.data[0].embedding.every((x) => typeof x === 'number'), m.id);
      assert.ok(floats.usage.prompt_tokens > 0 && floats.usage.total_tokens === floats.usage.prompt_tokens);

      // The SDK asks for base64 by default and decodes it: the same vector length.
      const { data: batch, response } = await client.embeddings.create({ model: m.id, input: ['first text', 'second, longer text', 'third'] }).withResponse();
      assert.deepEqual(batch.data.map((d) => d.index), [0, 1, 2]);
      assert.ok(batch.data.every((d) => d.embedding.length === floats.data[0].embedding.length), m.id);
      const cost = response.headers.get('x-tokenflow-cost-usd');
      assert.ok(cost !== null, `${m.id} cost header`);
      const expected = (batch.usage.prompt_tokens * Number(m.usdPerMtok)) / 1_000_000;
      assert.ok(Math.abs(Number(cost) - expected) < 1e-9, `${m.id}: ${cost} vs ${expected}`);
    }
    const rows = await waitFor(async () => {
      const all = await usageRows(p.databaseUrl, p.accountId);
      return all.length >= before + EMBEDDING_MODELS.length * 2 ? all.slice(before) : null;
    }, 15_000, 'embedding usage in the ledger');
    for (const m of EMBEDDING_MODELS) {
      const mine = rows.filter((r) => r.model === m.id);
      assert.equal(mine.length, 2, m.id);
      for (const r of mine) {
        assert.equal(r.completion_tokens, 0);
        // Debits are negative amounts on the customer's account.
        const charged = BigInt(r.amount_nano) < 0n ? -BigInt(r.amount_nano) : BigInt(r.amount_nano);
        assert.equal(charged, BigInt(r.prompt_tokens) * BigInt(Math.round(Number(m.usdPerMtok) * 1000)), m.id);
      }
    }
  });

  it('base64 from the gateway decodes to the float vector', async () => {
    const raw = await fetch(`${p.baseUrl}/v1/embeddings`, {
      method: 'POST',
      headers: { authorization: `Bearer ${p.key}`, 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'embedding-3', input: 'hello', encoding_format: 'base64' }),
    });
    assert.equal(raw.status, 200);
    const body = (await raw.json()) as { data: { embedding: string }[] };
    assert.equal(typeof body.data[0].embedding, 'string');
    const floats = new Float32Array(Buffer.from(body.data[0].embedding, 'base64').buffer.slice(0));
    assert.ok(floats.length > 0 && [...floats].every(Number.isFinite));
  });

  it('the Vercel AI SDK\'s embed and embedMany work against the gateway', async () => {
    const openai = createOpenAI({ baseURL: `${p.baseUrl}/v1`, apiKey: p.key });
    const one = await embed({ model: openai.embedding('text-embedding-3-small'), value: 'sunny day at the beach', maxRetries: 0 });
    assert.ok(one.embedding.length > 0);
    assert.ok(one.usage.tokens > 0);
    const many = await embedMany({ model: openai.embedding('text-embedding-v3'), values: ['a', 'b c', 'd e f'], maxRetries: 0 });
    assert.equal(many.embeddings.length, 3);
    assert.ok(many.embeddings.every((e) => e.length === many.embeddings[0].length && e.length > 0));
  });

  it('auto never answers a chat with an embedding model', async () => {
    const r = await client.chat.completions.create({ model: 'auto', messages: [{ role: 'user', content: 'Write a haiku about the sea.' }], max_tokens: 16 });
    assert.ok(!EMBEDDING_MODELS.some((m) => m.id === r.model), r.model);
  });

  // Regression: these were planned and held, then failed upstream; now the router refuses them before anything.
  it('refuses chat, responses and completions on an embedding model, and embeddings on a chat model, as a 400 naming the model', async () => {
    // An account of its own: earlier tests' usage may still be settling on the platform's account.
    const acct = await admin<{ id: string }>('POST', '/admin/v1/accounts', { name: 'wrong-type', credit_usd: '1.00' });
    const key = await admin<{ key: string }>('POST', '/admin/v1/keys', { account_id: acct.body.id });
    const client = new OpenAI({ apiKey: key.body.key, baseURL: `${p.baseUrl}/v1`, maxRetries: 0 });
    const refused = async (call: Promise<unknown>, model: string) => {
      const err = await call.then(() => assert.fail(`${model}: expected a 400`), (e: unknown) => e as InstanceType<typeof OpenAI.APIError>);
      assert.ok(err instanceof OpenAI.APIError, String(err));
      assert.equal(err.status, 400);
      assert.deepEqual([err.code, err.type, err.param], ['model_not_supported', 'invalid_request_error', 'model']);
      assert.match((err.error as { message: string }).message, new RegExp(`^The model '${model}' .*does not support`));
    };
    await refused(client.chat.completions.create({ model: 'text-embedding-3-small', messages: [{ role: 'user', content: 'hi' }] }), 'text-embedding-3-small');
    await refused(client.responses.create({ model: 'embedding-3', input: 'hi' }), 'embedding-3');
    await refused(client.completions.create({ model: 'text-embedding-v3', prompt: 'hi' }), 'text-embedding-v3');
    await refused(client.embeddings.create({ model: 'gpt-4o', input: 'hi' }), 'gpt-4o');
    await refused(client.embeddings.create({ model: 'auto', input: 'hi' }), 'auto');
    // Refused before any hold or attempt. A marker request that is served settles after them: once its usage is in
    // the ledger, it is the account's only usage row.
    await client.embeddings.create({ model: 'text-embedding-3-small', input: 'marker' });
    const rows = await waitFor(async () => {
      const r = await usageRows(p.databaseUrl, acct.body.id);
      return r.length ? r : null;
    }, 10_000, 'the marker settled');
    assert.deepEqual(rows.map((r) => r.model), ['text-embedding-3-small'], 'nothing else was billed');
  });

  it('legacy completions on deepseek-v3 (FIM) and on chat-only models answer in the completions shape, plain and streamed', async () => {
    for (const model of ['deepseek-v3', 'deepseek-r1', 'kimi-k2', 'glm-4-plus', 'claude-sonnet', 'qwen-max']) {
      const whole = await client.completions.create({ model, prompt: 'Say this is a test', max_tokens: 12 });
      assert.equal(whole.object, 'text_completion', model);
      assert.equal(whole.model, model);
      assert.equal(whole.choices.length, 1);
      assert.equal(typeof whole.choices[0].text, 'string');
      assert.ok(whole.choices[0].text.length > 0, model);
      assert.ok(['stop', 'length'].includes(whole.choices[0].finish_reason), model);
      assert.ok(whole.usage && whole.usage.completion_tokens > 0, model);
      assert.ok(!('system_fingerprint' in whole));

      const stream = await client.completions.create({ model, prompt: 'Say this is a test', max_tokens: 12, stream: true, stream_options: { include_usage: true } });
      let text = '';
      let usage: OpenAI.CompletionUsage | null | undefined = null;
      for await (const chunk of stream) {
        assert.equal(chunk.object, 'text_completion', model);
        assert.ok(!('system_fingerprint' in chunk));
        for (const c of chunk.choices) {
          assert.ok(!('delta' in c), model);
          text += c.text;
        }
        if (chunk.usage) usage = chunk.usage;
      }
      assert.ok(text.length > 0, model);
      assert.ok(usage && usage.completion_tokens > 0, model);
    }
  });

  it('legacy completions through chat refuse what chat cannot say, as a 400 naming the model', async () => {
    await assert.rejects(
      client.completions.create({ model: 'kimi-k2', prompt: 'def f(', suffix: 'return x', max_tokens: 8 }),
      (e: unknown) => e instanceof OpenAI.BadRequestError && e.param === 'suffix' && /kimi/.test(e.message),
    );
  });
});
