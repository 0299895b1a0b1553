import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { mulberry32 } from '@tokenflow/routing';
import type { ChannelEntity } from '../db/entities';
import { HealthBook } from '../health/health-book';
import { HealthWeightedSelector } from './channel-selector';
import { breakerConfig, report } from '../../test/support/health-fixtures';

/** A small seeded PRNG, so the statistics below are the same on every run. */
const seeded = mulberry32;

function channel(name: string, priority: number, weight: number): ChannelEntity {
  return { id: `id-${name}`, name, priority, weight } as ChannelEntity;
}

const names = (list: ChannelEntity[]) => list.map((c) => c.name);

const none = new HealthBook(breakerConfig());

describe('HealthWeightedSelector', () => {
  it('is named for the strategy', () => {
    assert.equal(new HealthWeightedSelector().name, 'health-weighted');
  });

  it('always puts higher priority tiers first, whatever the weights', () => {
    const selector = new HealthWeightedSelector(seeded(1));
    const candidates = [channel('low', 0, 100), channel('high', 10, 1), channel('mid-a', 5, 1), channel('mid-b', 5, 50)];
    for (let i = 0; i < 1000; i++) {
      const ordered = selector.order(candidates, none, 'm');
      assert.equal(ordered[0].name, 'high');
      assert.deepEqual(new Set(names(ordered.slice(1, 3))), new Set(['mid-a', 'mid-b']));
      assert.equal(ordered[3].name, 'low');
    }
  });

  it('returns every candidate exactly once and leaves the input untouched', () => {
    const selector = new HealthWeightedSelector(seeded(2));
    const candidates = [channel('a', 1, 3), channel('b', 1, 1), channel('c', 0, 2), channel('d', 2, 1), channel('e', 1, 7)];
    const before = names(candidates);
    for (let i = 0; i < 200; i++) {
      const ordered = selector.order(candidates, none, 'm');
      assert.equal(ordered.length, candidates.length);
      assert.deepEqual([...names(ordered)].sort(), [...before].sort());
      for (const c of ordered) assert.ok(candidates.includes(c), 'returns the same objects');
    }
    assert.deepEqual(names(candidates), before);
  });

  it('returns an empty order for no candidates', () => {
    assert.deepEqual(new HealthWeightedSelector(seeded(3)).order([], none, 'm'), []);
  });

  it('puts the 9-weight channel first in about 90% of orderings against a 1-weight one', () => {
    const selector = new HealthWeightedSelector(seeded(42));
    const candidates = [channel('light', 0, 1), channel('heavy', 0, 9)];
    const runs = 10_000;
    let heavyFirst = 0;
    for (let i = 0; i < runs; i++) if (selector.order(candidates, none, 'm')[0].name === 'heavy') heavyFirst++;
    const share = heavyFirst / runs;
    assert.ok(share >= 0.87 && share <= 0.93, `heavy first in ${share}`);
  });

  it('spreads first place by weight across a tier of three (1:2:3)', () => {
    const selector = new HealthWeightedSelector(seeded(7));
    const candidates = [channel('w1', 0, 1), channel('w2', 0, 2), channel('w3', 0, 3)];
    const runs = 12_000;
    const firsts: Record<string, number> = { w1: 0, w2: 0, w3: 0 };
    for (let i = 0; i < runs; i++) firsts[selector.order(candidates, none, 'm')[0].name]++;
    for (const [name, expected] of [
      ['w1', 1 / 6],
      ['w2', 2 / 6],
      ['w3', 3 / 6],
    ] as const) {
      const share = firsts[name] / runs;
      assert.ok(Math.abs(share - expected) < 0.03, `${name} first in ${share}, expected ~${expected}`);
    }
  });

  it('gives equal weights an even split', () => {
    const selector = new HealthWeightedSelector(seeded(9));
    const candidates = [channel('x', 3, 5), channel('y', 3, 5)];
    let xFirst = 0;
    for (let i = 0; i < 10_000; i++) if (selector.order(candidates, none, 'm')[0].name === 'x') xFirst++;
    assert.ok(xFirst / 10_000 > 0.47 && xFirst / 10_000 < 0.53, String(xFirst));
  });

  it('uses the injected random source (deterministic for a given seed)', () => {
    const candidates = [channel('a', 0, 1), channel('b', 0, 1), channel('c', 0, 1), channel('d', 0, 1)];
    const run = (seed: number) => {
      const s = new HealthWeightedSelector(seeded(seed));
      return Array.from({ length: 20 }, () => names(s.order(candidates, none, 'm')).join(''));
    };
    assert.deepEqual(run(123), run(123));
    // A source that ranks later candidates higher reverses an equal-weight tier.
    let n = 0;
    const rising = new HealthWeightedSelector(() => (++n % 100) / 100);
    assert.deepEqual(names(rising.order(candidates, none, 'm')), ['d', 'c', 'b', 'a']);
  });

  it('shifts a tier away from a channel that fails, in proportion to its success rate', () => {
    const book = new HealthBook(breakerConfig({ BREAKER_MIN_ATTEMPTS: 1000 }));
    const candidates = [channel('good', 0, 1), channel('bad', 0, 1)];
    // 30 clean attempts against 30 of which 24 failed: success rates 31/32 and 7/32.
    book.fold(report([{ channelId: 'id-good', ok: 30 }, { channelId: 'id-bad', ok: 6, failed: 24 }]));
    const selector = new HealthWeightedSelector(seeded(5));
    let goodFirst = 0;
    for (let i = 0; i < 10_000; i++) if (selector.order(candidates, book, 'm')[0].name === 'good') goodFirst++;
    const expected = 31 / (31 + 7);
    assert.ok(Math.abs(goodFirst / 10_000 - expected) < 0.03, `good first in ${goodFirst / 10_000}, expected ~${expected}`);
  });

  it('prefers the faster channel of a tier by its median time to first token', () => {
    const book = new HealthBook(breakerConfig());
    const candidates = [channel('fast', 0, 1), channel('slow', 0, 1)];
    book.fold(report([{ channelId: 'id-fast', ok: 4, ttftMs: [100, 100, 100, 100] }, { channelId: 'id-slow', ok: 4, ttftMs: [400, 400, 400, 400] }]));
    const selector = new HealthWeightedSelector(seeded(6));
    let fastFirst = 0;
    for (let i = 0; i < 10_000; i++) if (selector.order(candidates, book, 'm')[0].name === 'fast') fastFirst++;
    // Weights 1 and 1/4: the fast one leads 80% of orderings.
    assert.ok(Math.abs(fastFirst / 10_000 - 0.8) < 0.03, `fast first in ${fastFirst / 10_000}`);
  });
});
