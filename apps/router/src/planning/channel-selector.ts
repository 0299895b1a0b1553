import type { ChannelEntity } from '../db/entities';
import type { HealthSnapshot, TargetHealth } from '../health/health-book';

/** A way of ordering the channels that can serve a request. Strategies are classes behind this interface. */
export interface ChannelSelector {
  readonly name: string;
  /** The candidates serving `model`, in the order to try them. */
  order(candidates: ChannelEntity[], health: HealthSnapshot, model: string): ChannelEntity[];
}

/**
 * Success probability with a prior of one success and one failure (Laplace): a channel with no history counts as
 * 50% less certain than one with a long clean record, never as 0 or 1.
 */
export function successRate(h: Pick<TargetHealth, 'attempts' | 'failed'>): number {
  return (h.attempts - h.failed + 1) / (h.attempts + 2);
}

/** A channel slower to first token than the fastest of its tier gets proportionally less traffic, down to a quarter. */
const MIN_LATENCY_FACTOR = 0.25;

/**
 * One-API's rule, made health-aware: higher priority first; inside a priority tier, a weighted random order
 * (Efraimidis–Spirakis: sort by u^(1/w)) with w = weight × success rate over the window × latency factor (the
 * tier's best p50 TTFT over this channel's). Load spreads by weight while every channel is healthy, shifts away from
 * one that fails or slows down, and the rest of the tier is the fallback order.
 */
export class HealthWeightedSelector implements ChannelSelector {
  readonly name = 'health-weighted';

  constructor(private readonly random: () => number = Math.random) {}

  order(candidates: ChannelEntity[], health: HealthSnapshot, model: string): ChannelEntity[] {
    const scored = candidates.map((c) => ({ c, h: health.channel(c.id, model), k: 0 }));
    const bestTtft = new Map<number, number>();
    for (const { c, h } of scored) {
      if (h.p50TtftMs !== null) bestTtft.set(c.priority, Math.min(bestTtft.get(c.priority) ?? Infinity, h.p50TtftMs));
    }
    for (const s of scored) {
      const best = bestTtft.get(s.c.priority);
      const latency = best !== undefined && s.h.p50TtftMs ? Math.max(MIN_LATENCY_FACTOR, Math.min(1, best / s.h.p50TtftMs)) : 1;
      const w = Math.max(1, s.c.weight) * successRate(s.h) * latency;
      s.k = Math.pow(this.random(), 1 / w);
    }
    scored.sort((a, b) => b.c.priority - a.c.priority || b.k - a.k);
    return scored.map((x) => x.c);
  }
}
