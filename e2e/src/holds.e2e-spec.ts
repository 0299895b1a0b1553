import { strict as assert } from 'node:assert';
import { after, before, describe, it } from 'node:test';
import { waitFor } from '@tokenflow/testing';
import OpenAI from 'openai';
import { balanceNano, usageRows } from './support/ledger';
import { adminApi, type Platform, startPlatform } from './support/platform';

/** What the client sees of a refused request. */
async function refusal(p: Promise<unknown>): Promise<{ status: number; code: string | null; param: string | null }> {
  try {
    await p;
  } catch (err) {
    const e = err as { status?: number; code?: string | null; param?: string | null };
    return { status: e.status ?? 0, code: e.code ?? null, param: e.param ?? null };
  }
  throw new Error('the request was served');
}

/**
 * Issue 13, point 4: the hold covers everything a request can be billed for — `file` parts, reasoning sent back in
 * history, audio, `service_tier: "priority"` — so an account with little balance is refused (429) instead of being
 * served past zero, and a part the price book cannot price for the model is a 400 naming it.
 */
describe('holds cover everything billable', () => {
  let p: Platform;

  before(async () => {
    p = await startPlatform('holds');
  });
  after(async () => p?.stop());

  async function account(credit: string) {
    const admin = adminApi(p);
    const acct = await admin<{ id: string }>('POST', '/admin/v1/accounts', { name: 'holds-test', credit_usd: credit });
    const key = await admin<{ key: string }>('POST', '/admin/v1/keys', { account_id: acct.body.id, rpm_limit: 1_000_000 });
    return { accountId: acct.body.id, client: new OpenAI({ apiKey: key.body.key, baseURL: `${p.baseUrl}/v1`, maxRetries: 0 }) };
  }

  /** The account is charged only for what was served, and never goes below zero. */
  async function assertOnlyServedBilled(accountId: string, credit: bigint, served: number) {
    const rows = await waitFor(async () => {
      const r = await usageRows(p.databaseUrl, accountId);
      return r.length >= served ? r : null;
    }, 10_000, 'the served requests in the ledger');
    assert.equal(rows.length, served, 'refused requests are never billed');
    const balance = await balanceNano(p.databaseUrl, accountId);
    assert.ok(balance >= 0n && balance <= credit, `balance ${balance}`);
  }

  it('refuses a big file part an account cannot pay for (a PDF may hold a hundred pages whatever its size)', async () => {
    const { accountId, client } = await account('0.05');
    // A plain request fits the balance.
    await client.chat.completions.create({ model: 'gpt-4o', max_tokens: 50, messages: [{ role: 'user', content: 'Summarise nothing.' }] });
    const pdf = Buffer.from(`%PDF-1.4\n${'1 0 obj << /Type /Page >> endobj\n'.repeat(20_000)}%%EOF`).toString('base64');
    const withFile = client.chat.completions.create({
      model: 'gpt-4o',
      max_tokens: 50,
      messages: [{ role: 'user', content: [{ type: 'file', file: { filename: 'big.pdf', file_data: `data:application/pdf;base64,${pdf}` } }, { type: 'text', text: 'Summarise it.' }] }],
    });
    assert.deepEqual(await refusal(withFile), { status: 429, code: 'insufficient_quota', param: null });
    await assertOnlyServedBilled(accountId, 50_000_000n, 1);
  });

  it('refuses reasoning history an account cannot pay for (reasoning sent back is input)', async () => {
    const { accountId, client } = await account('0.005');
    await client.chat.completions.create({ model: 'deepseek-v3', max_tokens: 50, messages: [{ role: 'user', content: 'hi' }] });
    // ~40k tokens of reasoning at $0.14/1M is more than $0.005 with the output limit.
    const reasoning = 'Consider the ledger entries one at a time and check each idempotency key. '.repeat(2_200);
    const history = client.chat.completions.create({
      model: 'deepseek-v3',
      max_tokens: 50,
      messages: [
        { role: 'user', content: 'Check the ledger.' },
        { role: 'assistant', content: 'It balances.', reasoning_content: reasoning } as OpenAI.Chat.ChatCompletionAssistantMessageParam,
        { role: 'user', content: 'Are you sure?' },
      ],
    });
    assert.deepEqual(await refusal(history), { status: 429, code: 'insufficient_quota', param: null });
    await assertOnlyServedBilled(accountId, 5_000_000n, 1);
  });

  it('prices service_tier "priority" at the priority prices, and refuses it (400) where the model has none', async () => {
    const { accountId, client } = await account('0.10');
    const priority = (max_tokens: number) =>
      client.chat.completions.create({ model: 'gpt-4o', max_tokens, service_tier: 'priority', messages: [{ role: 'user', content: 'Quickly, please.' }] });
    assert.deepEqual(await refusal(priority(10)), { status: 400, code: 'invalid_request', param: 'service_tier' });
    const admin = adminApi(p);
    const set = await admin<Record<string, unknown>>('PUT', '/admin/v1/models/gpt-4o/price', {
      input_usd_per_mtok: '2.50',
      output_usd_per_mtok: '10.00',
      priority_input_usd_per_mtok: '25.00',
      priority_output_usd_per_mtok: '100.00',
    });
    assert.equal(set.status, 200, JSON.stringify(set.body));
    assert.equal(set.body.priority_output_usd_per_mtok, '100.00');
    // 4,000 output tokens: $0.04 at the standard price fits $0.10 (flex is held at it), $0.40 at the priority price does not.
    await client.chat.completions.create({ model: 'gpt-4o', max_tokens: 4_000, service_tier: 'flex', messages: [{ role: 'user', content: 'Whenever.' }] });
    assert.deepEqual(await refusal(priority(4_000)), { status: 429, code: 'insufficient_quota', param: null });
    const served = await client.chat.completions.create({ model: 'gpt-4o', max_tokens: 100, service_tier: 'priority', messages: [{ role: 'user', content: 'Small.' }] });
    const rows = await waitFor(async () => {
      const r = await usageRows(p.databaseUrl, accountId);
      return r.length >= 2 ? r : null;
    }, 10_000, 'both served requests in the ledger');
    const expected = BigInt(served.usage!.prompt_tokens) * 25_000n + BigInt(served.usage!.completion_tokens) * 100_000n;
    assert.ok(rows.some((r) => -BigInt(r.amount_nano) === expected), `the priority request billed at the priority price (${expected}): ${JSON.stringify(rows)}`);
    await assertOnlyServedBilled(accountId, 100_000_000n, 2);
  });

  it('refuses audio a model has no audio price for (400 naming it), and holds it at the audio price once it has one', async () => {
    const { client } = await account('0.01');
    const admin = adminApi(p);
    await admin('POST', '/admin/v1/channels', {
      name: 'audio',
      provider: 'openai-compatible',
      base_url: `${p.mockUrl}/v1`,
      api_keys: ['sk-mock-audio'],
      models: ['m-audio'],
      model_mapping: { 'm-audio': 'gpt-4o' },
    });
    await admin('PUT', '/admin/v1/models/m-audio/price', { input_usd_per_mtok: '2.50', output_usd_per_mtok: '10.00' });
    // 5 minutes of 8 kbit/s MP3: at most 3,750 audio tokens.
    const mp3 = Buffer.alloc(300_000).toString('base64');
    const audio = () =>
      client.chat.completions.create({
        model: 'm-audio',
        max_tokens: 10,
        messages: [{ role: 'user', content: [{ type: 'input_audio', input_audio: { data: mp3, format: 'mp3' } }] }],
      });
    assert.deepEqual(await refusal(audio()), { status: 400, code: 'invalid_request', param: 'messages' });
    await admin('PUT', '/admin/v1/models/m-audio/price', { input_usd_per_mtok: '2.50', output_usd_per_mtok: '10.00', audio_input_usd_per_mtok: '4000.00' });
    // 3,750 tokens at $4,000/1M = $15: far past $0.01.
    const held = await waitFor(async () => {
      const r = await refusal(audio()).catch(() => null);
      return r?.status === 429 ? r : null;
    }, 5_000, 'the audio price in force');
    assert.equal(held.code, 'insufficient_quota');
  });
});
