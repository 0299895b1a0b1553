import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { TfError } from '@tokenflow/contracts';
import { budgetRemainingNano, usageFilterOf, usageReportOf } from './usage-report';

const uuid = '0b6f3c1e-9d7a-4f2b-8c3d-1234567890ab';
const row = (group: string, requests: number, costNano: bigint) => ({ group, requests, promptTokens: requests * 10, completionTokens: requests * 2, costNano });

describe('usageFilterOf', () => {
  it('passes ids, model and times through, and leaves out what the query does not name', () => {
    assert.deepEqual(usageFilterOf({ account_id: uuid, model: 'gpt-4o', from: '2026-01-01T00:00:00Z' }), {
      accountId: uuid,
      keyId: null,
      model: 'gpt-4o',
      from: new Date('2026-01-01T00:00:00Z'),
      to: null,
    });
  });

  it('refuses what would fail in the database as a 400 naming the parameter, not a 500', () => {
    for (const [q, param] of [
      [{ account_id: 'acct-1' }, 'account_id'],
      [{ key_id: `${uuid}0` }, 'key_id'],
      [{ from: 'yesterday' }, 'from'],
      [{ to: '2026-13-45' }, 'to'],
    ] as const) {
      assert.throws(() => usageFilterOf(q), (err: unknown) => err instanceof TfError && err.status === 400 && err.param === param, param);
    }
  });
});

describe('usageReportOf', () => {
  const rows = [row('deepseek-v3', 1, 14_000n), row('gpt-4o', 2, 9_007_199_254_740_993n)];

  it('totals every group exactly in nano-USD before showing USD', () => {
    const r = usageReportOf({ group_by: 'model' }, usageFilterOf({}), rows);
    assert.deepEqual(r.total, { requests: 3, prompt_tokens: 30, completion_tokens: 6, cost_usd: '9007199.254754993' });
    assert.deepEqual(r.data.map((d) => [d.group, d.requests, d.cost_usd]), [['deepseek-v3', 1, '0.000014'], ['gpt-4o', 2, '9007199.254740993']]);
    assert.equal(r.group_by, 'model');
  });

  it('lists no groups when the report is not grouped, only the total', () => {
    const r = usageReportOf({}, usageFilterOf({}), [row('total', 4, 10n)]);
    assert.deepEqual(r.data, []);
    assert.equal(r.group_by, null);
    assert.equal(r.total.requests, 4);
  });

  it('shows zeros for no usage, and the window it covered in ISO form', () => {
    const q = { from: '2026-01-01T01:00:00+01:00', to: '2026-02-01T00:00:00Z' };
    const r = usageReportOf(q, usageFilterOf(q), []);
    assert.deepEqual(r.total, { requests: 0, prompt_tokens: 0, completion_tokens: 0, cost_usd: '0.00' });
    assert.deepEqual([r.from, r.to], ['2026-01-01T00:00:00.000Z', '2026-02-01T00:00:00.000Z']);
  });
});

describe('budgetRemainingNano', () => {
  it('is the limit minus the spend, and zero, never negative, once spend passes the limit', () => {
    assert.equal(budgetRemainingNano(5_000n, 1_200n), 3_800n);
    assert.equal(budgetRemainingNano(5_000n, 5_000n), 0n);
    assert.equal(budgetRemainingNano(5_000n, 7_500n), 0n);
  });
});
