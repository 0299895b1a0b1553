import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { suiteRedis, testNamespace } from '@tokenflow/testing';
import { SCRIPTS } from '../src/holds/balance-scripts.lua';

/**
 * Hold sizing against the balance, where it is decided: the balance scripts, run on the real local Redis. The
 * boundaries (exactly enough, credit limits, key budgets, repeats) are checked here at the script level.
 */
describe('balance scripts (real Redis): holds, releases, snapshots, key budgets', () => {
  const ns = testNamespace('balscripts');
  const redis = suiteRedis(ns);
  let n = 0;


  /** One account's keys, as BalanceCache lays them out. */
  const account = () => {
    const tag = `tf:${ns}:{a:acct${n++}}`;
    return {
      bal: `${tag}:bal`,
      hold: (requestId: string) => `${tag}:hold:${requestId}`,
      expiry: `tf:${ns}:holds-by-expiry`,
      budget: `${tag}:kb:key`,
      abandoned: (requestId: string) => `${tag}:abandoned:${requestId}`,
    };
  };
  type Account = ReturnType<typeof account>;
  const run = (name: keyof typeof SCRIPTS, keys: string[], args: string[]) => redis().eval(SCRIPTS[name].lua, keys.length, ...keys, ...args);
  const sync = (a: Account, balance: bigint, credit: bigint, version: number) => run('sync', [a.bal], [String(balance), String(credit), String(version)]);
  const hold = (a: Account, requestId: string, amount: bigint, budget: { limit: bigint; period: string } | null = null) =>
    run('hold', [a.bal, a.hold(requestId), a.expiry, a.budget, a.abandoned(requestId)], [
      String(amount),
      '60000',
      `acct|${requestId}|key`,
      budget ? String(budget.limit) : '',
      budget?.period ?? '',
    ]) as Promise<[number, string?]>;
  const release = (a: Account, requestId: string) =>
    run('release', [a.bal, a.hold(requestId), a.expiry, a.budget], [`acct|${requestId}|key`]) as Promise<string | number>;
  const held = async (a: Account, k = a.bal) => BigInt((await redis().hget(k, 'held')) ?? '0');

  describe('hold', () => {
    it('asks for the account first when its balance is not cached', async () => {
      assert.deepEqual(await hold(account(), 'r', 1n), [-1]);
    });

    it('grants exactly what balance plus credit limit minus open holds covers, and not one nano-USD more', async () => {
      const a = account();
      await sync(a, 700n, 300n, 1);
      assert.deepEqual(await hold(a, 'r1', 600n), [1]);
      assert.deepEqual(await hold(a, 'r2', 401n), [0, '400'], 'refused, with what is available');
      assert.deepEqual(await hold(a, 'r3', 400n), [1], 'exactly the rest');
      assert.equal(await held(a), 1000n);
      assert.deepEqual(await hold(a, 'r4', 1n), [0, '0']);
    });

    it('reports a negative availability as it is (a balance spent past zero by settled usage)', async () => {
      const a = account();
      await sync(a, -50n, 0n, 1);
      assert.deepEqual(await hold(a, 'r', 0n), [0, '-50']);
    });

    it('places a request’s hold once: a repeat is granted without reserving again', async () => {
      const a = account();
      await sync(a, 1000n, 0n, 1);
      assert.deepEqual(await hold(a, 'r', 600n), [1]);
      assert.deepEqual(await hold(a, 'r', 600n), [1]);
      assert.equal(await held(a), 600n);
    });

    it('keeps amounts past 2^53 exact', async () => {
      const a = account();
      await sync(a, 9_007_199_254_740_993n * 2n, 0n, 1);
      assert.deepEqual(await hold(a, 'r', 9_007_199_254_740_993n), [1]);
      assert.equal(await redis().get(a.hold('r')), '9007199254740993|0');
      assert.equal(await held(a), 9_007_199_254_740_993n);
    });

    it('refuses a hold whose request was already released (abandoned)', async () => {
      const a = account();
      await sync(a, 1000n, 0n, 1);
      await run('abandon', [a.abandoned('late')], ['60000']);
      assert.deepEqual(await hold(a, 'late', 1n), [-3]);
      assert.equal(await held(a), 0n);
    });
  });

  describe('key budgets', () => {
    it('asks for the key budget when it is not cached for this window', async () => {
      const a = account();
      await sync(a, 1000n, 0n, 1);
      assert.deepEqual(await hold(a, 'r', 1n, { limit: 100n, period: 'd:2026-01-01' }), [-2]);
      await run('budgetSync', [a.budget], ['d:2026-01-01', '0', '1']);
      assert.deepEqual(await hold(a, 'r', 1n, { limit: 100n, period: 'd:2026-01-02' }), [-2], 'a new day is a new window');
    });

    it('grants what the budget has left after spend and open holds, and holds it on both', async () => {
      const a = account();
      await sync(a, 1000n, 0n, 1);
      await run('budgetSync', [a.budget], ['m:2026-01', '30', '1']);
      const budget = { limit: 100n, period: 'm:2026-01' };
      assert.deepEqual(await hold(a, 'r1', 50n, budget), [1]);
      assert.deepEqual(await hold(a, 'r2', 21n, budget), [2, '20'], 'the key budget is what is short');
      assert.deepEqual(await hold(a, 'r3', 20n, budget), [1]);
      assert.deepEqual([await held(a), await held(a, a.budget)], [70n, 70n]);
      // Releasing gives back to both the account and the budget it was held against.
      assert.equal(Number(await release(a, 'r1')), 50);
      assert.deepEqual([await held(a), await held(a, a.budget)], [20n, 20n]);
    });

    it('checks the account before the budget: an account short of money is what the caller hears about', async () => {
      const a = account();
      await sync(a, 10n, 0n, 1);
      await run('budgetSync', [a.budget], ['t', '0', '1']);
      assert.deepEqual(await hold(a, 'r', 50n, { limit: 40n, period: 't' }), [0, '10']);
    });

    it('only raises the cached spend within a window, and rolls to a new window only when asked to', async () => {
      const a = account();
      await run('budgetSync', [a.budget], ['d:2026-01-01', '500', '1']);
      await run('budgetSync', [a.budget], ['d:2026-01-01', '400', '0']);
      assert.equal(await redis().hget(a.budget, 'spent'), '500', 'an older (smaller) read never rolls spend back');
      await run('budgetSync', [a.budget], ['d:2026-01-01', '650', '0']);
      assert.equal(await redis().hget(a.budget, 'spent'), '650');
      assert.equal(await run('budgetSync', [a.budget], ['d:2026-01-02', '0', '0']), 0, 'a settlement does not start a window');
      assert.equal(await redis().hget(a.budget, 'period'), 'd:2026-01-01');
      await run('budgetSync', [a.budget], ['d:2026-01-02', '0', '1']);
      assert.deepEqual(await redis().hmget(a.budget, 'period', 'spent'), ['d:2026-01-02', '0']);
    });
  });

  describe('release', () => {
    it('frees a hold once, returning its amount; a second release frees nothing', async () => {
      const a = account();
      await sync(a, 1000n, 0n, 1);
      await hold(a, 'r', 300n);
      assert.notEqual(await redis().zscore(a.expiry, 'acct|r|key'), null, 'indexed for expiry');
      assert.equal(Number(await release(a, 'r')), 300);
      assert.equal(Number(await release(a, 'r')), 0);
      assert.equal(await held(a), 0n);
      assert.equal(await redis().zscore(a.expiry, 'acct|r|key'), null);
    });
  });

  describe('sync', () => {
    it('applies a balance snapshot only if it is newer than the cached one, keeping open holds', async () => {
      const a = account();
      assert.equal(await sync(a, 1000n, 0n, 5), 1);
      await hold(a, 'r', 100n);
      assert.equal(await sync(a, 10n, 0n, 4), 0, 'an older snapshot arriving late');
      assert.equal(await sync(a, 10n, 0n, 5), 0, 'the same version again');
      assert.equal(await redis().hget(a.bal, 'balance'), '1000');
      assert.equal(await sync(a, 900n, 50n, 6), 1);
      assert.deepEqual(await redis().hmget(a.bal, 'balance', 'credit', 'held'), ['900', '50', '100']);
    });
  });
});
