import { strict as assert } from 'node:assert';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { ensureDatabase, postgresOptions } from '@tokenflow/config';
import type { UsageRecordedEvent } from '@tokenflow/contracts';
import { testUrls, usageEvent } from '@tokenflow/testing';
import { DataSource } from 'typeorm';
import { billingSchemaOptions, runBillingMigrations } from '../src/db/data-source';
import { OutputStatsService } from '../src/output-stats/output-stats.service';
import { OutputUsageRepository } from '../src/output-stats/output-usage.repository';
import { LedgerRepository } from '../src/settlement/ledger.repository';
import { usageEntry } from '../src/settlement/settlement-plan';

/**
 * The output-usage rollup against the real Postgres, written through settlement's own ledger writes. The test
 * database is shared with other suites (and their billing replicas may fold too), so every model here is this
 * run's own and assertions read only those.
 */
describe('output-usage rollup (real Postgres)', () => {
  let db: DataSource;
  let ledger: LedgerRepository;
  let repo: OutputUsageRepository;
  let stats: OutputStatsService;
  let accountId: string;
  const run = randomBytes(4).toString('hex');
  const model = (name: string) => `${name}-${run}`;
  let seq = 0;

  before(async () => {
    await ensureDatabase(testUrls.database);
    await runBillingMigrations(testUrls.database);
    db = new DataSource(postgresOptions(billingSchemaOptions(testUrls.database, 2)));
    await db.initialize();
    ledger = new LedgerRepository(db);
    repo = new OutputUsageRepository(db);
    stats = new OutputStatsService(repo, { OUTPUT_STATS_WINDOW_DAYS: 7 });
    [{ id: accountId }] = await db.query(`INSERT INTO billing.accounts (name) VALUES ('output-usage-spec') RETURNING id`);
  });
  after(async () => db?.destroy());

  /** Settles usage events as billing does (one batch, one transaction). */
  async function settle(events: Partial<UsageRecordedEvent>[]): Promise<void> {
    const usage = events.map((over) => {
      const e = usageEvent(`ou-${run}-${++seq}`, { accountId, model: model('reasoner'), provider: 'deepseek', upstreamModel: 'deepseek-reasoner', ...over });
      return usageEntry(e, { inputNanoPerToken: '1', outputNanoPerToken: '1' });
    });
    await ledger.appendBatch({ usage, holds: [], releases: [] });
  }

  /** Folds everything settled so far (other suites' entries included). */
  async function foldAll(): Promise<void> {
    for (let i = 0; i < 1_000; i++) if ((await repo.fold(20_000, 0)).caughtUp) return;
    assert.fail('the rollup did not catch up');
  }

  const mine = async () => (await stats.stats()).rows.filter((r) => r.model.endsWith(run));

  it('keeps the category and outcome on the usage entry', async () => {
    await settle([{ model: model('tagged'), category: 'code', outcome: 'cancelled', completionTokens: 7 }, { model: model('tagged'), completionTokens: 7 }]);
    const rows = await db.query(`SELECT category, outcome FROM billing.ledger_entries WHERE model = $1 ORDER BY id`, [model('tagged')]);
    assert.deepEqual(rows, [
      { category: 'code', outcome: 'cancelled' },
      { category: null, outcome: 'ok' },
    ]);
  });

  it('averages completion tokens (reasoning included) of successful categorised usage, per model and category', async () => {
    await settle([
      { category: 'math', completionTokens: 3_000, reasoningTokens: 2_500 },
      { category: 'math', completionTokens: 1_000, reasoningTokens: 800 },
      // Cut short (the client left, the upstream broke): not what a full answer costs.
      { category: 'math', completionTokens: 9, outcome: 'cancelled' },
      { category: 'math', completionTokens: 9, outcome: 'error' },
      // No output, or no category (a named model, or an event from before categories): nothing to learn.
      { category: 'math', completionTokens: 0 },
      { completionTokens: 50_000 },
      { category: 'chat', completionTokens: 120 },
      { model: model('plain'), category: 'math', completionTokens: 400 },
    ]);
    await foldAll();
    assert.deepEqual(await mine(), [
      { model: model('plain'), category: 'math', n: 1, avg_completion_tokens: 400 },
      { model: model('reasoner'), category: 'chat', n: 1, avg_completion_tokens: 120 },
      { model: model('reasoner'), category: 'math', n: 2, avg_completion_tokens: 2_000 },
    ]);
    // Folding again finds nothing new: the watermark moved with the rollup, in the same transaction.
    await foldAll();
    assert.equal((await mine()).find((r) => r.model === model('reasoner') && r.category === 'math')?.n, 2);
    assert.equal((await stats.stats()).window_days, 7);
  });

  it('folds in batches of bounded size and adds up across them', async () => {
    await settle(Array.from({ length: 5 }, (_, i) => ({ model: model('batched'), category: 'chat', completionTokens: 100 * (i + 1) })));
    for (let i = 0; ; i++) {
      assert.ok(i < 100, 'caught up');
      const r = await repo.fold(2, 0);
      assert.ok(r.scanned <= 2, `a batch of 2 scanned ${r.scanned}`);
      if (r.caughtUp) break;
    }
    assert.deepEqual((await mine()).find((r) => r.model === model('batched')), { model: model('batched'), category: 'chat', n: 5, avg_completion_tokens: 300 });
  });

  it('leaves entries younger than the settle lag, and everything after them, to a later run', async () => {
    await settle([{ model: model('young'), category: 'chat', completionTokens: 10 }]);
    for (let i = 0; i < 1_000; i++) if ((await repo.fold(20_000, 60_000)).caughtUp) break;
    assert.ok(!(await mine()).some((r) => r.model === model('young')), 'not folded while younger than the lag');
    await foldAll();
    assert.ok((await mine()).some((r) => r.model === model('young')));
  });

  it('averages over the window only', async () => {
    await db.query(
      `INSERT INTO billing.output_usage_daily (day, model, category, n, completion_tokens_sum)
       VALUES ((now() AT TIME ZONE 'UTC')::date - 7, $1, 'chat', 10, 1000000), ((now() AT TIME ZONE 'UTC')::date - 6, $1, 'chat', 1, 100)`,
      [model('windowed')],
    );
    assert.deepEqual((await mine()).find((r) => r.model === model('windowed')), { model: model('windowed'), category: 'chat', n: 1, avg_completion_tokens: 100 });
  });
});
