import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { suiteRedis, testNamespace } from '@tokenflow/testing';
import { SCRIPTS, WINDOW_MS } from '../src/limits/limit-scripts.lua';

/**
 * The limiter's bucket math, where it lives: the Lua scripts, run on the real local Redis with state written at
 * known times (relative to Redis's own clock), so waits and refills can be checked to the millisecond range.
 */
describe('ratelimit scripts (real Redis): sliding window, token bucket, concurrency, settle', () => {
  const ns = testNamespace('rlscripts');
  const tag = `tf:${ns}:rl:v1:{a:acct}`;
  const redis = suiteRedis(ns);
  let n = 0;
  /** Fresh keys per test: a bucket key and the request's reservation. */
  const key = (kind: string) => `${tag}:b${n++}:${kind}`;
  const res = (id: string) => `${tag}:res:${id}:${n++}`;


  const now = async () => {
    const [s, us] = await redis().time();
    return Number(s) * 1000 + Math.floor(Number(us) / 1000);
  };
  type B = [key: string, kind: 'r' | 't' | 'c', limit: number];
  const acquire = async (reservation: string, id: string, est: number, buckets: B[], leaseMs = 30_000) =>
    (await redis().eval(
      SCRIPTS.acquire.lua,
      1 + buckets.length,
      reservation,
      ...buckets.map((b) => b[0]),
      id,
      est,
      leaseMs,
      ...buckets.flatMap((b) => [b[1], b[2]]),
    )) as number[];
  const settle = async (reservation: string, id: string, event: string, actual: number, tok: string[], conc: string[] = []) =>
    (await redis().eval(SCRIPTS.settle.lua, 1 + tok.length + conc.length, reservation, ...tok, ...conc, id, event, actual, tok.length)) as number;
  const tokens = async (k: string) => Number(await redis().hget(k, 'tokens'));
  const near = (actual: number, expected: number, slack: number, what: string) =>
    assert.ok(actual <= expected && actual >= expected - slack, `${what}: ${actual}, expected ${expected} (−${slack})`);

  describe('requests per minute (sliding log)', () => {
    it('denies at the limit and waits for the oldest admission to leave the 60 s window', async () => {
      const r = key('r');
      const t = await now();
      await redis().zadd(r, t - 59_000, 'a', t - 30_000, 'b', t - 10_000, 'c', t - 61_000, 'too-old');
      const out = await acquire(res('d'), 'd', 1, [[r, 'r', 3]]);
      assert.equal(out[0], 0, 'denied');
      assert.equal(out[1], 1, 'by the first bucket');
      near(out[2], 1_000, 200, 'retry: when "a" leaves the window');
      // Headers as they stand: 3 of 3 used, full again when the newest ("c") leaves.
      assert.deepEqual(out.slice(3, 5), [3, 0]);
      near(out[5], 50_000, 200, 'reset');
      assert.equal(await redis().zscore(r, 'too-old'), null, 'admissions older than the window are dropped');
      assert.equal(await redis().zcard(r), 3, 'a denial takes nothing');
    });

    it('waits for as many admissions to leave as the limit requires, not just the oldest', async () => {
      const r = key('r');
      const t = await now();
      await redis().zadd(r, t - 59_000, 'a', t - 30_000, 'b', t - 10_000, 'c');
      // Limit 2 with 3 in the window: two must leave, so the wait is until "b" does.
      near((await acquire(res('d'), 'd', 1, [[r, 'r', 2]]))[2], 30_000, 200, 'retry');
    });

    it('grants below the limit, counting the new request in the headers', async () => {
      const r = key('r');
      const t = await now();
      await redis().zadd(r, t - 20_000, 'a');
      const out = await acquire(res('b'), 'b', 1, [[r, 'r', 3]]);
      assert.equal(out[0], 1);
      assert.deepEqual(out.slice(1, 3), [3, 1], 'limit 3, one left after this one');
      near(out[3], WINDOW_MS, 50, 'full again a minute after the newest (this) admission');
      assert.equal(await redis().zcard(r), 2);
    });

    it('does not count a request against itself when it is admitted again (an idempotent retry)', async () => {
      const r = key('r');
      const t = await now();
      await redis().zadd(r, t - 3_000, 'a', t - 2_000, 'b', t - 1_000, 'c');
      assert.equal((await acquire(res('c'), 'c', 1, [[r, 'r', 3]]))[0], 1);
      assert.equal(await redis().zcard(r), 3);
    });
  });

  describe('tokens per minute (token bucket)', () => {
    it('refills at limit/60 s since the last take, and waits exactly for the missing tokens', async () => {
      const tk = key('t');
      const t = await now();
      await redis().hset(tk, 'tokens', '0', 'ts', String(t - 30_000), 'cap', '1000');
      const out = await acquire(res('x'), 'x', 600, [[tk, 't', 1000]]);
      assert.equal(out[0], 0);
      // 30 s refilled 500 of 1,000; 100 more take 6 s.
      near(out[2], 6_000, 200, 'retry');
      assert.equal(out[6], 1000);
      assert.ok(out[7] >= 500 && out[7] <= 502, `tokens left as they stand, rounded down: ${out[7]}`);
      assert.equal(await tokens(tk), 0, 'a denial stores nothing');
    });

    it('takes the estimate on a grant, and expires an idle bucket once it would be full again', async () => {
      const tk = key('t');
      const t = await now();
      await redis().hset(tk, 'tokens', '0', 'ts', String(t - 30_000), 'cap', '1000');
      const out = await acquire(res('x'), 'x', 400, [[tk, 't', 1000]]);
      assert.equal(out[0], 1);
      assert.equal(out[4], 1000);
      assert.ok(out[5] >= 100 && out[5] <= 103, `remaining ${out[5]}`);
      near(out[6], 54_000, 200, 'reset: 900 missing tokens at 1,000/min');
      const left = await tokens(tk);
      assert.ok(left >= 100 && left < 104, `stored ${left}`);
      near(await redis().pttl(tk), 54_000 + 1_000, 300, 'ttl');
    });

    it('starts a bucket full, and never fills one past its limit', async () => {
      const tk = key('t');
      assert.equal((await acquire(res('x'), 'x', 1000, [[tk, 't', 1000]]))[0], 1, 'the whole limit at once');
      const full = key('t');
      const t = await now();
      await redis().hset(full, 'tokens', '900', 'ts', String(t - 50_000), 'cap', '1000');
      const out = await acquire(res('y'), 'y', 0, [[full, 't', 1000]]);
      assert.equal(out[5], 1000, 'capped at the limit');
    });

    it('refuses a request larger than the limit for good (-1), whatever else would only need a wait', async () => {
      const r = key('r');
      const tk = key('t');
      const t = await now();
      await redis().zadd(r, t - 1_000, 'a');
      const out = await acquire(res('x'), 'x', 1001, [[r, 'r', 1], [tk, 't', 1000]]);
      assert.deepEqual(out.slice(0, 3), [0, 2, -1]);
    });
  });

  describe('several buckets', () => {
    it('names the bucket that frees last and takes from none of them', async () => {
      const soon = key('r');
      const late = key('r');
      const tk = key('t');
      const t = await now();
      await redis().zadd(soon, t - 50_000, 'a');
      await redis().zadd(late, t - 10_000, 'b');
      const out = await acquire(res('x'), 'x', 10, [[soon, 'r', 1], [late, 'r', 1], [tk, 't', 1000]]);
      assert.equal(out[1], 2, 'the later one: retrying when the first frees would be refused by the second');
      near(out[2], 50_000, 200, 'retry');
      assert.equal(await redis().exists(tk), 0, 'all or none: no tokens taken');
      assert.equal(await redis().zcard(soon), 1);
    });

    it('shows the tightest limit of each dimension in the headers', async () => {
      const wide = key('r');
      const tight = key('r');
      const t = await now();
      await redis().zadd(tight, t - 5_000, 'a', t - 4_000, 'b', t - 3_000, 'c', t - 2_000, 'd');
      const out = await acquire(res('x'), 'x', 1, [[wide, 'r', 100], [tight, 'r', 5]]);
      assert.deepEqual(out.slice(0, 3), [1, 5, 0], 'granted; the 5-limit is the one with least left (none)');
      assert.deepEqual(out.slice(4, 6), [-1, -1], 'no tokens dimension applied');
    });
  });

  describe('concurrency (leases)', () => {
    it('suggests at most a second when full (slots free when requests end), or when the next lease ends', async () => {
      const c = key('c');
      const t = await now();
      await redis().zadd(c, t + 100_000, 'long');
      near((await acquire(res('x'), 'x', 1, [[c, 'c', 1]]))[2], 1_000, 0, 'long lease');
      const c2 = key('c');
      await redis().zadd(c2, t + 300, 'short');
      near((await acquire(res('y'), 'y', 1, [[c2, 'c', 1]]))[2], 300, 200, 'short lease');
    });

    it('frees the slot of a holder whose lease ran out, and leases the new one for its own time', async () => {
      const c = key('c');
      const t = await now();
      await redis().zadd(c, t - 1, 'crashed');
      const out = await acquire(res('x'), 'x', 1, [[c, 'c', 1]], 5_000);
      assert.equal(out[0], 1);
      assert.equal(await redis().zscore(c, 'crashed'), null);
      near(Number(await redis().zscore(c, 'x')), t + 5_000 + 200, 200, 'lease expiry');
    });
  });

  describe('settle', () => {
    it('gives the estimate back once and takes real usage per event, idempotent per event id', async () => {
      const tk = key('t');
      const reservation = res('x');
      assert.equal((await acquire(reservation, 'x', 600, [[tk, 't', 1000]]))[0], 1);
      assert.ok((await tokens(tk)) < 402);
      assert.equal(await settle(reservation, 'x', 'ev-1', 100, [tk]), 1);
      const afterFirst = await tokens(tk);
      assert.ok(afterFirst >= 900 && afterFirst < 903, `600 reserved, 100 used: 500 back (${afterFirst})`);
      assert.equal(await settle(reservation, 'x', 'ev-1', 100, [tk]), 0, 'a redelivered event changes nothing');
      assert.ok((await tokens(tk)) - afterFirst < 2);
      // A second attempt's usage only takes: the estimate was already given back.
      assert.equal(await settle(reservation, 'x', 'ev-2', 50, [tk]), 1);
      const afterSecond = await tokens(tk);
      assert.ok(afterSecond >= afterFirst - 50 && afterSecond < afterFirst - 47, `${afterFirst} → ${afterSecond}`);
    });

    it('refunds the whole estimate when no usage will come (-1), never past the limit', async () => {
      const tk = key('t');
      const reservation = res('x');
      await acquire(reservation, 'x', 300, [[tk, 't', 1000]]);
      assert.equal(await settle(reservation, 'x', 'release', -1, [tk]), 1);
      assert.equal(await tokens(tk), 1000);
    });

    it('frees concurrency slots, and never recreates an expired reservation', async () => {
      const c = key('c');
      const tk = key('t');
      const reservation = res('x');
      await acquire(reservation, 'x', 10, [[c, 'c', 2], [tk, 't', 1000]]);
      await redis().del(reservation);
      assert.equal(await settle(reservation, 'x', 'release', -1, [tk], [c]), 0);
      assert.equal(await redis().zscore(c, 'x'), null, 'the slot is freed even so');
      assert.equal(await redis().exists(reservation), 0);
      assert.ok((await tokens(tk)) < 992, 'no refund without the reservation that says how much');
    });
  });
});
