import type { ChannelEntity } from '../db/entities';

/** A way of ordering the channels that can serve a request. Strategies are classes behind this interface. */
export interface ChannelSelector {
  readonly name: string;
  order(candidates: ChannelEntity[]): ChannelEntity[];
}

/**
 * One-API's rule, done without its bias: higher priority first; inside a priority tier, a weighted random
 * order (Efraimidis–Spirakis: sort by u^(1/w)), so load spreads by weight and the rest of the tier is the
 * fallback order.
 */
export class PriorityWeightedSelector implements ChannelSelector {
  readonly name = 'priority-weighted';

  constructor(private readonly random: () => number = Math.random) {}

  order(candidates: ChannelEntity[]): ChannelEntity[] {
    const keyed = candidates.map((c) => ({ c, k: Math.pow(this.random(), 1 / Math.max(1, c.weight)) }));
    keyed.sort((a, b) => b.c.priority - a.c.priority || b.k - a.k);
    return keyed.map((x) => x.c);
  }
}
