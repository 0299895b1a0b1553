import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import type { ChannelEntity } from '../db/entities';
import { PriorityWeightedSelector } from './channel-selector';

/** mulberry32: a small seeded PRNG, so the statistics below are the same on every run. */
function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function channel(name: string, priority: number, weight: number): ChannelEntity {
  return { id: `id-${name}`, name, priority, weight } as ChannelEntity;
}

const names = (list: ChannelEntity[]) => list.map((c) => c.name);

describe('PriorityWeightedSelector', () => {
  it('is named for the strategy', () => {
    assert.equal(new PriorityWeightedSelector().name, 'priority-weighted');
  });

  it('always puts higher priority tiers first, whatever the weights', () => {
    const selector = new PriorityWeightedSelector(seeded(1));
    const candidates = [channel('low', 0, 100), channel('high', 10, 1), channel('mid-a', 5, 1), channel('mid-b', 5, 50)];
    for (let i = 0; i < 1000; i++) {
      const ordered = selector.order(candidates);
      assert.equal(ordered[0].name, 'high');
      assert.deepEqual(new Set(names(ordered.slice(1, 3))), new Set(['mid-a', 'mid-b']));
      assert.equal(ordered[3].name, 'low');
    }
  });

  it('returns every candidate exactly once and leaves the input untouched', () => {
    const selector = new PriorityWeightedSelector(seeded(2));
    const candidates = [channel('a', 1, 3), channel('b', 1, 1), channel('c', 0, 2), channel('d', 2, 1), channel('e', 1, 7)];
    const before = names(candidates);
    for (let i = 0; i < 200; i++) {
      const ordered = selector.order(candidates);
      assert.equal(ordered.length, candidates.length);
      assert.deepEqual([...names(ordered)].sort(), [...before].sort());
      for (const c of ordered) assert.ok(candidates.includes(c), 'returns the same objects');
    }
    assert.deepEqual(names(candidates), before);
  });

  it('returns an empty order for no candidates', () => {
    assert.deepEqual(new PriorityWeightedSelector(seeded(3)).order([]), []);
  });

  it('puts the 9-weight channel first in about 90% of orderings against a 1-weight one', () => {
    const selector = new PriorityWeightedSelector(seeded(42));
    const candidates = [channel('light', 0, 1), channel('heavy', 0, 9)];
    const runs = 10_000;
    let heavyFirst = 0;
    for (let i = 0; i < runs; i++) if (selector.order(candidates)[0].name === 'heavy') heavyFirst++;
    const share = heavyFirst / runs;
    assert.ok(share >= 0.87 && share <= 0.93, `heavy first in ${share}`);
  });

  it('spreads first place by weight across a tier of three (1:2:3)', () => {
    const selector = new PriorityWeightedSelector(seeded(7));
    const candidates = [channel('w1', 0, 1), channel('w2', 0, 2), channel('w3', 0, 3)];
    const runs = 12_000;
    const firsts: Record<string, number> = { w1: 0, w2: 0, w3: 0 };
    for (let i = 0; i < runs; i++) firsts[selector.order(candidates)[0].name]++;
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
    const selector = new PriorityWeightedSelector(seeded(9));
    const candidates = [channel('x', 3, 5), channel('y', 3, 5)];
    let xFirst = 0;
    for (let i = 0; i < 10_000; i++) if (selector.order(candidates)[0].name === 'x') xFirst++;
    assert.ok(xFirst / 10_000 > 0.47 && xFirst / 10_000 < 0.53, String(xFirst));
  });

  it('uses the injected random source (deterministic for a given seed)', () => {
    const candidates = [channel('a', 0, 1), channel('b', 0, 1), channel('c', 0, 1), channel('d', 0, 1)];
    const run = (seed: number) => {
      const s = new PriorityWeightedSelector(seeded(seed));
      return Array.from({ length: 20 }, () => names(s.order(candidates)).join(''));
    };
    assert.deepEqual(run(123), run(123));
    // A source that ranks later candidates higher reverses an equal-weight tier.
    let n = 0;
    const rising = new PriorityWeightedSelector(() => (++n % 100) / 100);
    assert.deepEqual(names(rising.order(candidates)), ['d', 'c', 'b', 'a']);
  });
});
