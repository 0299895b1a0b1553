import { strict as assert } from 'node:assert';
import { after, before, describe, it } from 'node:test';
import { type CategoryPriorView, Subjects } from '@tokenflow/contracts';
import { NatsBus } from '@tokenflow/messaging';
import { testUrls, waitFor } from '@tokenflow/testing';
import OpenAI from 'openai';
import { withDb } from './support/ledger';
import { adminApi, type Platform, startPlatform } from './support/platform';

/** What `auto` learns from the ledger: each model's real answer length per task category. */
describe('output stats: the ledger teaches auto how long answers are', () => {
  let p: Platform;
  let client: OpenAI;
  let bus: NatsBus;

  before(async () => {
    // A rollup every 300 ms and a router that re-reads it as often, trusting two answers: no minute-long waits.
    p = await startPlatform('outputstats', { OUTPUT_STATS_FOLD_MS: '300', AUTO_OUTPUT_STATS_REFRESH_MS: '300', AUTO_OUTPUT_MIN_SAMPLES: '2' });
    client = new OpenAI({ apiKey: p.key, baseURL: `${p.baseUrl}/v1`, maxRetries: 0 });
    bus = await NatsBus.connect({ url: testUrls.nats, name: 'e2e-output-stats', namespace: p.namespace });
  });
  after(async () => {
    await bus?.close();
    await p?.stop();
  });

  it("keeps auto's category on the ledger, averages it after the rollup, and auto then expects that length", async () => {
    const served: { model: string; category: string }[] = [];
    for (const content of ['hi', 'hello there', 'hey, how are you?']) {
      const { response } = await client.chat.completions.create({ model: 'auto', messages: [{ role: 'user', content }] }).withResponse();
      const category = /^cat=([a-z_]+);/.exec(response.headers.get('x-tokenflow-route') ?? '')?.[1];
      assert.ok(category, `explained: ${response.headers.get('x-tokenflow-route')}`);
      served.push({ model: response.headers.get('x-tokenflow-model')!, category });
    }
    await client.chat.completions.create({ model: 'deepseek-v3', messages: [{ role: 'user', content: 'a named model' }] });
    const [{ model, category }] = served;
    assert.ok(served.every((s) => s.model === model && s.category === category), `one model and category for chit-chat: ${JSON.stringify(served)}`);

    // Every auto request's usage entry carries its category; the named model's carries none.
    const rows = await waitFor(async () => {
      const r = await withDb(p.databaseUrl, async (c) => (await c.query(`SELECT model, category, outcome, completion_tokens FROM billing.ledger_entries WHERE account_id = $1 AND kind = 'usage' ORDER BY id`, [p.accountId])).rows);
      return r.length === 4 ? (r as { model: string; category: string | null; outcome: string; completion_tokens: number }[]) : null;
    }, 10_000, 'four usage entries');
    // Usage settles in batches from a stream, so the ledger's order need not be the requests' order.
    const byCategory = (r: { category: string | null }) => (r.category === null ? 1 : 0);
    const sorted = [...rows].sort((a, b) => byCategory(a) - byCategory(b));
    assert.deepEqual(sorted.map((r) => [r.model, r.category, r.outcome]), [...served.map((s) => [s.model, s.category, 'ok']), ['deepseek-v3', null, 'ok']]);
    const tokens = sorted.slice(0, 3).map((r) => r.completion_tokens);
    const avg = Math.round(tokens.reduce((a, b) => a + b, 0) / tokens.length);

    // The job folds them into the rollup; the stats subject answers from it.
    const stat = await waitFor(async () => {
      const reply = await bus.request(Subjects.billingOutputStats, {});
      return reply.rows.find((r) => r.model === model && r.category === category && r.n === 3);
    }, 10_000, 'the rollup to count the three answers');
    assert.equal(stat.avg_completion_tokens, avg);

    // Operators see it beside the category's prior; the router, refreshed, expects it for the next auto request.
    const admin = adminApi(p);
    await waitFor(async () => {
      const list = await admin<{ data: CategoryPriorView[] }>('GET', '/admin/v1/categories');
      return list.body.data.find((c) => c.category === category)?.observed_output_tokens?.[model]?.n === 3;
    }, 10_000, 'the router to read the stats');
    const list = await admin<{ data: CategoryPriorView[] }>('GET', '/admin/v1/categories');
    assert.deepEqual(list.body.data.find((c) => c.category === category)?.observed_output_tokens?.[model], { n: 3, avg_completion_tokens: avg });
    const { response } = await client.chat.completions.create({ model: 'auto', messages: [{ role: 'user', content: 'hi again' }] }).withResponse();
    assert.equal(response.headers.get('x-tokenflow-model'), model);
    assert.match(response.headers.get('x-tokenflow-route') ?? '', new RegExp(`~${avg} output tokens \\(ledger\\)`));
  });
});
