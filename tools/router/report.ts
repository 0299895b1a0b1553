import type { ScoredRow } from '@tokenflow/routing';
import { atThreshold, auc, bestAtQuality, randomAtQuality, totals } from '@tokenflow/routing';
import type { LoadedRow } from './dataset';

export interface Metrics {
  n: number;
  auc_premium_needed: number;
  cost_save_at_q95: number;
  cost_save_at_q90: number;
  premium_share: number;
  quality_retained: number;
  cost_save: number;
}

export interface Baselines {
  always_premium: Metrics;
  always_cheap: Metrics;
  random: Metrics;
  /** Longer prompt = premium: the baseline a router must beat to be more than a length meter. */
  length_only: Metrics;
  oracle: Metrics;
}

const r4 = (x: number) => (Number.isFinite(x) ? Math.round(x * 1e4) / 1e4 : x);

function scored(rows: readonly LoadedRow[], scores: ArrayLike<number>): ScoredRow[] {
  return rows.map((r, i) => ({ score: scores[i], cheapQuality: r.cheap_quality, premiumQuality: r.premium_quality, cheapCost: r.cheapCost, premiumCost: r.premiumCost }));
}

/** The issue-12 metrics of `scores` over `rows`, at `threshold` for the deployed operating point. */
export function metrics(rows: readonly LoadedRow[], scores: ArrayLike<number>, threshold: number): Metrics {
  const s = scored(rows, scores);
  const at = atThreshold(s, threshold);
  return {
    n: rows.length,
    auc_premium_needed: r4(auc(Array.from(scores), rows.map((r) => r.premium_quality > r.cheap_quality))),
    cost_save_at_q95: r4(bestAtQuality(s, 0.95).costSave),
    cost_save_at_q90: r4(bestAtQuality(s, 0.9).costSave),
    premium_share: r4(at.premiumShare),
    quality_retained: r4(at.qualityRetained),
    cost_save: r4(at.costSave),
  };
}

export function baselines(rows: readonly LoadedRow[]): Baselines {
  const s = scored(rows, new Float64Array(rows.length));
  const t = totals(s);
  const fixed = (premium: boolean): Metrics => ({
    n: rows.length,
    auc_premium_needed: 0.5,
    cost_save_at_q95: premium || t.qualityCheap >= 0.95 * t.qualityPremium ? r4(premium ? 0 : 1 - t.costCheap / t.costPremium) : NaN,
    cost_save_at_q90: premium || t.qualityCheap >= 0.9 * t.qualityPremium ? r4(premium ? 0 : 1 - t.costCheap / t.costPremium) : NaN,
    premium_share: premium ? 1 : 0,
    quality_retained: r4(premium ? 1 : t.qualityCheap / t.qualityPremium),
    cost_save: r4(premium ? 0 : 1 - t.costCheap / t.costPremium),
  });
  const r95 = randomAtQuality(s, 0.95);
  const r90 = randomAtQuality(s, 0.9);
  const random: Metrics = {
    n: rows.length,
    auc_premium_needed: 0.5,
    cost_save_at_q95: r4(r95.costSave),
    cost_save_at_q90: r4(r90.costSave),
    premium_share: r4(r95.premiumShare),
    quality_retained: r4(r95.qualityRetained),
    cost_save: r4(r95.costSave),
  };
  const lengths = rows.map((r) => r.messages.reduce((n, m) => n + (typeof m.content === 'string' ? m.content.length : 0), 0));
  const lengthOnly = metrics(rows, lengths, bestAtQuality(scored(rows, lengths), 0.95).threshold);
  const oracleScores = rows.map((r) => r.premium_quality - r.cheap_quality);
  const oracle = metrics(rows, oracleScores, 1);
  return { always_premium: fixed(true), always_cheap: fixed(false), random, length_only: lengthOnly, oracle };
}

export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];
}

/** Rows grouped as the report shows them: each source, then all. */
export function bySource(rows: readonly LoadedRow[]): [string, number[]][] {
  const groups = new Map<string, number[]>();
  rows.forEach((r, i) => {
    const g = groups.get(r.source) ?? [];
    g.push(i);
    groups.set(r.source, g);
  });
  const out = [...groups.entries()].sort(([a], [b]) => a.localeCompare(b));
  out.push(['all', rows.map((_, i) => i)]);
  return out;
}
