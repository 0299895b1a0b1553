import { strict as assert } from 'node:assert';
import { after, before, describe, it } from 'node:test';
import { waitFor } from '@tokenflow/testing';
import type { ModelCard } from '@tokenflow/contracts';
import OpenAI from 'openai';
import { usageRows } from './support/ledger';
import { adminApi, type Platform, startPlatform } from './support/platform';

/** `/v1/models` entries with our extra fields, as the SDK hands them over. */
type ListedModel = ModelCard;
type Tier = NonNullable<ModelCard['tier']>;
interface ChannelRow {
  id: string;
  name: string;
  model_mapping: Record<string, string>;
  health: { models: { model: string; p50_ttft_ms: number | null; attempts_in_window: number }[] };
}

const HARD_PROOF =
  'Let G be a finite group and H a subgroup of index p, where p is the smallest prime dividing the order of G. Prove that H is normal in G.';

/** A large code task: a refactor over ~40 functions of real-looking TypeScript, with tests to write. */
const LARGE_CODE_TASK =
  'Here is our order service. Refactor it into a repository and a service class, add input validation, make the total ' +
  'computation handle discounts and taxes per line, fix the race condition in reserveStock, and write unit tests for every branch.\n\n```typescript\n' +
  Array.from(
    { length: 40 },
    (_, i) =>
      `export async function step${i}(db: Db, order: Order): Promise<void> {\n` +
      `  const rows = await db.query('SELECT * FROM stock WHERE sku = $1', [order.items[${i % 5}].sku]);\n` +
      `  if (rows.length === 0 && order.total > ${i * 10}) { throw new Error('missing stock ${i}'); }\n` +
      `  order.total += rows[0].price * order.items[${i % 5}].qty;\n}\n`,
  ).join('\n') +
  '```';

/**
 * `model: "auto"` end to end with the official `openai` client: the classifier in ingress, the cost-aware decision in
 * the router, the served model billed once, the decision explained in `x-tokenflow-route` and counted in metrics,
 * route preferences (mode, allow-list, price cap, latency target with a slow channel) and a failing first choice.
 */
describe('auto: the cost-aware router', () => {
  let p: Platform;
  let admin: ReturnType<typeof adminApi>;
  let client: OpenAI;
  const tiers = new Map<string, Tier>();
  /** USD per 1M output tokens, as `/v1/models` lists it. */
  const prices = new Map<string, string>();

  const auto = (content: string, extra: Record<string, unknown> = {}, headers: Record<string, string> = {}, c: OpenAI = client) =>
    c.chat.completions.create({ model: 'auto', messages: [{ role: 'user', content }], ...extra } as OpenAI.ChatCompletionCreateParamsNonStreaming, { headers }).withResponse();

  /** Fields of `x-tokenflow-route` (`cat=…;gain=…;mode=…;est_usd=…;reason=…;fallback=…`). */
  const route = (h: Headers): Record<string, string> =>
    Object.fromEntries((h.get('x-tokenflow-route') ?? '').split(';').map((kv) => [kv.slice(0, kv.indexOf('=')), kv.slice(kv.indexOf('=') + 1)]));

  async function keyFor(models: string[] | null): Promise<OpenAI> {
    const acct = await admin<{ id: string }>('POST', '/admin/v1/accounts', { name: 'auto', credit_usd: '5.00' });
    const key = await admin<{ key: string }>('POST', '/admin/v1/keys', { account_id: acct.body.id, ...(models ? { models } : {}) });
    assert.equal(key.status, 201, JSON.stringify(key.body));
    return new OpenAI({ apiKey: key.body.key, baseURL: `${p.baseUrl}/v1`, maxRetries: 0 });
  }

  async function mockDeepseek(): Promise<ChannelRow> {
    const list = await admin<{ data: ChannelRow[] }>('GET', '/admin/v1/channels');
    const ch = list.body.data.find((c) => c.name === 'mock-deepseek');
    assert.ok(ch, 'the seed has a mock-deepseek channel');
    return ch;
  }

  /** Points deepseek-v3 on the seeded mock channel at a scripted upstream name (`deepseek-chat+ttft=1500`…). */
  async function scriptDeepseekV3(upstream: string): Promise<void> {
    const ch = await mockDeepseek();
    const r = await admin('PATCH', `/admin/v1/channels/${ch.id}`, { model_mapping: { ...ch.model_mapping, 'deepseek-v3': upstream } });
    assert.equal(r.status, 200, JSON.stringify(r.body));
  }

  before(async () => {
    p = await startPlatform('auto', { HEALTH_REPORT_MS: '100', PROBE_INTERVAL_MS: '200', BREAKER_COOLDOWN_MS: '1000' });
    admin = adminApi(p);
    client = new OpenAI({ apiKey: p.key, baseURL: `${p.baseUrl}/v1`, maxRetries: 0 });
    for (const m of (await client.models.list()).data as unknown as ListedModel[]) {
      if (m.tier) tiers.set(m.id, m.tier);
      if (m.pricing) prices.set(m.id, m.pricing.output_usd_per_mtok);
    }
  });
  after(async () => p?.stop());

  it('/v1/models describes auto and gives every model its price, context window, output limit, modalities and tier', async () => {
    const page = await client.models.list();
    const models = page.data as unknown as ListedModel[];
    for (const m of models) assert.equal(m.object, 'model');
    const autoCard = models.find((m) => m.id === 'auto');
    assert.ok(autoCard?.description && /cheap|premium|cost/i.test(autoCard.description), JSON.stringify(autoCard));
    // `auto` chooses among chat models only; the embedding models are listed beside them, without a tier.
    const real = models.filter((m) => m.id !== 'auto' && m.type === 'chat');
    assert.equal(real.length, 7);
    const embeddings = models.filter((m) => m.type === 'embedding');
    assert.deepEqual(embeddings.map((m) => m.id).sort(), ['embedding-3', 'text-embedding-3-large', 'text-embedding-3-small', 'text-embedding-v3']);
    for (const m of embeddings) assert.ok(m.pricing && !m.tier, m.id);
    for (const m of real) {
      assert.match(m.pricing?.input_usd_per_mtok ?? '', /^\d+(\.\d+)?$/, m.id);
      assert.match(m.pricing?.output_usd_per_mtok ?? '', /^\d+(\.\d+)?$/, m.id);
      assert.ok((m.context_window ?? 0) > 0 && (m.max_output_tokens ?? 0) > 0, m.id);
      assert.ok(m.input_modalities?.includes('text'), m.id);
      assert.ok(m.tier && ['economy', 'standard', 'premium'].includes(m.tier), m.id);
    }
    assert.equal(tiers.get('deepseek-v3'), 'economy');
    assert.equal(tiers.get('claude-sonnet'), 'premium');
    const one = (await client.models.retrieve('gpt-4o')) as unknown as ListedModel;
    assert.equal(one.tier, 'premium');
  });

  it('chit-chat lands on a cheap model; the body, the header and the ledger name the served model', async () => {
    const { data, response } = await auto('Hey, how are you doing today?');
    assert.equal(tiers.get(data.model), 'economy', data.model);
    assert.equal(response.headers.get('x-tokenflow-model'), data.model);
    const r = route(response.headers);
    assert.equal(r.cat, 'chat');
    assert.equal(r.mode, 'balanced');
    assert.ok(Number(r.est_usd) > 0 && Number(r.est_usd) < 0.001, r.est_usd);
    assert.ok(r.fallback.split(',').length >= 2 && !r.fallback.split(',').includes(data.model), r.fallback);
    const id = response.headers.get('x-request-id');
    await waitFor(async () => (await usageRows(p.databaseUrl, p.accountId)).some((u) => u.request_id === id));
    const rows = (await usageRows(p.databaseUrl, p.accountId)).filter((u) => u.request_id === id);
    assert.deepEqual(
      rows.map((u) => u.model),
      [data.model],
    );
  });

  it('a hard proof and a large code task reach a premium model', async () => {
    const proof = await auto(HARD_PROOF);
    assert.equal(tiers.get(proof.data.model), 'premium', `${proof.data.model}: ${proof.response.headers.get('x-tokenflow-route')}`);
    assert.match(route(proof.response.headers).cat, /^(reasoning|math)$/);
    const code = await auto(LARGE_CODE_TASK);
    assert.equal(tiers.get(code.data.model), 'premium', `${code.data.model}: ${code.response.headers.get('x-tokenflow-route')}`);
    assert.equal(route(code.response.headers).cat, 'code');
  });

  it("a short code question stays cheap; the code prior's size term is the operator's to edit", async () => {
    const short = await auto('Write a Python function that reverses a string.');
    assert.equal(tiers.get(short.data.model), 'economy', `${short.data.model}: ${short.response.headers.get('x-tokenflow-route')}`);

    const priors = await admin<{ data: { category: string; gain: number; gain_per_doubling: number }[] }>('GET', '/admin/v1/categories');
    const code = priors.body.data.find((c) => c.category === 'code');
    assert.ok(code && code.gain_per_doubling > 0, JSON.stringify(code));
    const off = await admin<{ gain_per_doubling: number }>('PATCH', '/admin/v1/categories/code', { gain_per_doubling: 0 });
    assert.equal(off.status, 200, JSON.stringify(off.body));
    assert.equal(off.body.gain_per_doubling, 0);
    try {
      const large = await auto(LARGE_CODE_TASK);
      assert.equal(tiers.get(large.data.model), 'economy', `without the size term: ${large.response.headers.get('x-tokenflow-route')}`);
      assert.doesNotMatch(large.response.headers.get('x-tokenflow-route') ?? '', /size \+/);
    } finally {
      await admin('PATCH', '/admin/v1/categories/code', { gain_per_doubling: code.gain_per_doubling });
    }
    assert.equal((await admin('PATCH', '/admin/v1/categories/code', { gain_per_doubling: 1 })).status, 400);
  });

  it('streams with the served model in every chunk', async () => {
    const stream = await client.chat.completions.create({ model: 'auto', stream: true, messages: [{ role: 'user', content: 'hi there!' }] });
    const models = new Set<string>();
    let text = '';
    for await (const chunk of stream) {
      models.add(chunk.model);
      text += chunk.choices[0]?.delta?.content ?? '';
    }
    assert.equal(models.size, 1);
    assert.equal(tiers.get([...models][0]), 'economy');
    assert.ok(text.length > 0);
  });

  it('honours the route preferences: mode, allow-list and price cap', async () => {
    const economy = await auto(HARD_PROOF, { route: { mode: 'economy' } });
    assert.equal(route(economy.response.headers).mode, 'economy');
    const quality = await auto('What is the capital of France?', { route: { mode: 'quality' } });
    assert.equal(route(quality.response.headers).mode, 'quality');

    const allowed = await auto(HARD_PROOF, { route: { models: ['glm-4-plus', 'qwen-max'] } });
    assert.ok(['glm-4-plus', 'qwen-max'].includes(allowed.data.model), allowed.data.model);
    assert.ok(route(allowed.response.headers).fallback.split(',').every((m) => ['glm-4-plus', 'qwen-max'].includes(m)));

    const unCapped = await auto(LARGE_CODE_TASK);
    const capped = await auto(LARGE_CODE_TASK, { route: { max_price_per_1m_output: 3 } });
    assert.ok(Number(prices.get(unCapped.data.model)) > 3, `${unCapped.data.model} is above the cap`);
    assert.ok(Number(prices.get(capped.data.model)) <= 3, `${capped.data.model} costs ${prices.get(capped.data.model)} per 1M output`);
    assert.ok(route(capped.response.headers).fallback.split(',').every((m) => Number(prices.get(m)) <= 3));
  });

  it('a key allowed only cheap models never gets a premium one, whatever the prompt', async () => {
    const cheap = ['deepseek-v3', 'glm-4-plus', 'qwen-max'];
    const c = await keyFor(cheap);
    for (const prompt of [HARD_PROOF, LARGE_CODE_TASK]) {
      const { data, response } = await auto(prompt, {}, {}, c);
      assert.ok(cheap.includes(data.model), data.model);
      assert.ok(route(response.headers).fallback.split(',').every((m) => cheap.includes(m)));
    }
  });

  it('counts decisions per model and category in the metrics', async () => {
    const { data } = await auto('hello!');
    const metrics = await (await fetch(`${p.baseUrl}/metrics`)).text();
    const line = new RegExp(`^tokenflow_auto_decisions_total\\{[^}]*model="${data.model}"[^}]*category="chat"[^}]*\\} (\\d+)$`, 'm');
    const alt = new RegExp(`^tokenflow_auto_decisions_total\\{[^}]*category="chat"[^}]*model="${data.model}"[^}]*\\} (\\d+)$`, 'm');
    const m = line.exec(metrics) ?? alt.exec(metrics);
    assert.ok(m && Number(m[1]) >= 1, metrics.split('\n').filter((l) => l.includes('auto_decisions')).join('\n'));
  });

  it('a latency target excludes the slow channel: the cheapest model is passed over while its channel misses it', async () => {
    await scriptDeepseekV3('deepseek-chat+ttft=1500');
    try {
      // The router knows a channel's TTFT from the adapters' health reports: slow traffic to deepseek-v3 until most
      // of its recent answers (earlier tests' fast ones are still in the window) are the slow ones.
      await waitFor(
        async () => {
          await Promise.all(Array.from({ length: 3 }, () => client.chat.completions.create({ model: 'deepseek-v3', messages: [{ role: 'user', content: 'hi' }] })));
          await new Promise((r) => setTimeout(r, 300));
          const ch = await mockDeepseek();
          return (ch.health.models.find((m) => m.model === 'deepseek-v3')?.p50_ttft_ms ?? 0) >= 1000;
        },
        30_000,
        'deepseek-v3 measured slow',
      );

      const header = await auto('Hey, how are you doing today?', {}, { 'x-tokenflow-latency-target-ms': '800' });
      assert.notEqual(header.data.model, 'deepseek-v3');
      assert.equal(tiers.get(header.data.model), 'economy', header.data.model);
      const body = await auto('Hey, how are you doing today?', { route: { latency_target_ms: 800 } });
      assert.notEqual(body.data.model, 'deepseek-v3');

      // Without a target the cheapest model still wins: slowness alone is not a reason to pay more.
      const plain = await auto('Hey, how are you doing today?');
      assert.equal(plain.data.model, 'deepseek-v3');

      // A second, fast channel for deepseek-v3: the target now drops the slow channel, not the model.
      const fast = await admin<{ id: string }>('POST', '/admin/v1/channels', {
        name: 'fast-deepseek-v3',
        provider: 'openai-compatible',
        base_url: `${p.mockUrl}/v1`,
        api_keys: ['sk-mock-fast'],
        models: ['deepseek-v3'],
        model_mapping: { 'deepseek-v3': 'deepseek-chat+fast' },
      });
      assert.equal(fast.status, 201, JSON.stringify(fast.body));
      try {
        await fetch(`${p.mockUrl}/mock/requests`, { method: 'DELETE' });
        for (let i = 0; i < 6; i++) {
          const r = await auto('Hey, how are you doing today?', {}, { 'x-tokenflow-latency-target-ms': '800' });
          assert.equal(r.data.model, 'deepseek-v3');
        }
        const log = (await (await fetch(`${p.mockUrl}/mock/requests`)).json()) as { data: { body?: { model?: string } }[] };
        const upstream = log.data.map((r) => r.body?.model ?? '').filter((m) => m.startsWith('deepseek-chat'));
        assert.deepEqual([...new Set(upstream)], ['deepseek-chat+fast'], 'only the channel that meets the target');
      } finally {
        await admin('DELETE', `/admin/v1/channels/${fast.body.id}`);
      }
    } finally {
      await scriptDeepseekV3('deepseek-chat');
    }
  });

  it('a failing first choice falls back to the next in its ranking, billed once for the model that answered', async () => {
    await scriptDeepseekV3('deepseek-chat+fail=500');
    try {
      const { data, response } = await auto('Hey, how are you doing today?');
      assert.notEqual(data.model, 'deepseek-v3');
      assert.equal(response.headers.get('x-tokenflow-model'), data.model);
      assert.ok(data.choices[0].message.content);
      assert.ok(Number(response.headers.get('x-tokenflow-attempts')) >= 2, 'deepseek-v3 was tried first');
      // The decision is still explained, with who served it and which choice failed before it.
      const explained = route(response.headers);
      assert.equal(explained.cat, 'chat');
      assert.equal(explained.served, data.model);
      assert.equal(explained.after, 'deepseek-v3');
      const id = response.headers.get('x-request-id');
      // Each model of the chain is a round of its own (`<id>-r1`…), with its own hold and price.
      const ours = (u: { request_id: string }) => u.request_id === id || u.request_id.startsWith(`${id}-r`);
      await waitFor(async () => (await usageRows(p.databaseUrl, p.accountId)).some(ours));
      const rows = (await usageRows(p.databaseUrl, p.accountId)).filter(ours);
      assert.deepEqual(
        rows.map((u) => u.model),
        [data.model],
      );

      // Once its breaker opens, deepseek-v3 has no healthy channel: auto decides without it, at the first attempt.
      await waitFor(async () => {
        const next = await auto('Hey, how are you doing today?');
        return next.response.headers.get('x-tokenflow-attempts') === '1' && next.data.model !== 'deepseek-v3' && route(next.response.headers).cat === 'chat';
      });
    } finally {
      await scriptDeepseekV3('deepseek-chat');
    }
  });
});
