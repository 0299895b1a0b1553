/**
 * The router's offline metrics (issue 12, point 4). Each row has a score s (higher = premium); at threshold t a row
 * goes premium iff s ≥ t. Q(t) sums the chosen model's quality, C(t) its cost, with cheap = deepseek-v3 and premium =
 * gpt-4o list prices; input tokens = Σ over messages of max(1, ⌊len(content)/4⌋), output tokens = ⌊output_chars/4⌋
 * of the chosen model where the row gives it, else 200. `costSaveAtQuality(X)` is the largest 1 − C(t)/C(premium)
 * over thresholds with Q(t) ≥ X·Q(premium).
 */
export const PRICES_PER_1M = {
  cheap: { model: 'deepseek-v3', input: 0.14, output: 0.28 },
  premium: { model: 'gpt-4o', input: 2.5, output: 10 },
} as const;
export const DEFAULT_OUTPUT_TOKENS = 200;

export interface ScoredRow {
  score: number;
  cheapQuality: number;
  premiumQuality: number;
  cheapCost: number;
  premiumCost: number;
}

/** Input tokens as the metric counts them (string content; text parts summed for part arrays). */
export function inputTokens(messages: readonly { content?: unknown }[]): number {
  let n = 0;
  for (const m of messages) {
    const c = m.content;
    let len = 0;
    if (typeof c === 'string') len = c.length;
    else if (Array.isArray(c)) for (const p of c) if (p && typeof p === 'object' && typeof p.text === 'string') len += p.text.length;
    n += Math.max(1, Math.floor(len / 4));
  }
  return n;
}

export function rowCosts(messages: readonly { content?: unknown }[], cheapOutputChars?: number, premiumOutputChars?: number): { cheap: number; premium: number } {
  const inTok = inputTokens(messages);
  const out = (chars: number | undefined) => (typeof chars === 'number' ? Math.floor(chars / 4) : DEFAULT_OUTPUT_TOKENS);
  const { cheap, premium } = PRICES_PER_1M;
  return {
    cheap: (inTok * cheap.input + out(cheapOutputChars) * cheap.output) / 1e6,
    premium: (inTok * premium.input + out(premiumOutputChars) * premium.output) / 1e6,
  };
}

export interface Totals {
  n: number;
  qualityCheap: number;
  qualityPremium: number;
  costCheap: number;
  costPremium: number;
}

export function totals(rows: readonly ScoredRow[]): Totals {
  const t: Totals = { n: rows.length, qualityCheap: 0, qualityPremium: 0, costCheap: 0, costPremium: 0 };
  for (const r of rows) {
    t.qualityCheap += r.cheapQuality;
    t.qualityPremium += r.premiumQuality;
    t.costCheap += r.cheapCost;
    t.costPremium += r.premiumCost;
  }
  return t;
}

/** Area under the ROC curve of `score` for `label` (ties count one half). NaN when a class is empty. */
export function auc(scores: readonly number[], labels: readonly boolean[]): number {
  const idx = Array.from(scores.keys()).sort((a, b) => scores[a] - scores[b]);
  let pos = 0;
  let rankSum = 0;
  for (let i = 0; i < idx.length; ) {
    let j = i;
    while (j < idx.length && scores[idx[j]] === scores[idx[i]]) j++;
    const midRank = (i + 1 + j) / 2;
    for (let k = i; k < j; k++) {
      if (labels[idx[k]]) {
        pos++;
        rankSum += midRank;
      }
    }
    i = j;
  }
  const neg = idx.length - pos;
  if (pos === 0 || neg === 0) return NaN;
  return (rankSum - (pos * (pos + 1)) / 2) / (pos * neg);
}

export interface Operating {
  threshold: number;
  premiumShare: number;
  qualityRetained: number;
  costSave: number;
}

/** Premium share, quality retained (Q(t)/Q(premium)) and cost save (1 − C(t)/C(premium)) at threshold t. */
export function atThreshold(rows: readonly ScoredRow[], t: number): Operating {
  const tot = totals(rows);
  let q = 0;
  let c = 0;
  let premium = 0;
  for (const r of rows) {
    if (r.score >= t) {
      premium++;
      q += r.premiumQuality;
      c += r.premiumCost;
    } else {
      q += r.cheapQuality;
      c += r.cheapCost;
    }
  }
  return { threshold: t, premiumShare: rows.length ? premium / rows.length : 0, qualityRetained: ratio(q, tot.qualityPremium), costSave: 1 - ratio(c, tot.costPremium) };
}

/**
 * The operating point with the largest cost save whose quality is ≥ X·Q(premium), over every threshold (each
 * distinct score, and +∞ = all cheap). Its `threshold` is the lowest score that goes premium.
 */
export function bestAtQuality(rows: readonly ScoredRow[], x: number): Operating {
  const tot = totals(rows);
  const order = Array.from(rows.keys()).sort((a, b) => rows[b].score - rows[a].score);
  let q = tot.qualityCheap;
  let c = tot.costCheap;
  let best: Operating = { threshold: Infinity, premiumShare: 0, qualityRetained: ratio(q, tot.qualityPremium), costSave: 1 - ratio(c, tot.costPremium) };
  const ok = (qq: number) => qq >= x * tot.qualityPremium - 1e-9;
  if (!ok(q)) best = { threshold: -Infinity, premiumShare: 1, qualityRetained: 1, costSave: 0 };
  for (let i = 0; i < order.length; ) {
    let j = i;
    const s = rows[order[i]].score;
    while (j < order.length && rows[order[j]].score === s) {
      const r = rows[order[j]];
      q += r.premiumQuality - r.cheapQuality;
      c += r.premiumCost - r.cheapCost;
      j++;
    }
    const save = 1 - ratio(c, tot.costPremium);
    if (ok(q) && save > best.costSave) best = { threshold: s, premiumShare: j / rows.length, qualityRetained: ratio(q, tot.qualityPremium), costSave: save };
    i = j;
  }
  return best;
}

/** Random routing at the premium share that just keeps X·Q(premium), in expectation. */
export function randomAtQuality(rows: readonly ScoredRow[], x: number): Operating {
  const t = totals(rows);
  const gap = t.qualityPremium - t.qualityCheap;
  let share = gap > 0 ? (x * t.qualityPremium - t.qualityCheap) / gap : 0;
  share = Math.min(1, Math.max(0, share));
  const q = share * t.qualityPremium + (1 - share) * t.qualityCheap;
  const c = share * t.costPremium + (1 - share) * t.costCheap;
  return { threshold: NaN, premiumShare: share, qualityRetained: ratio(q, t.qualityPremium), costSave: 1 - ratio(c, t.costPremium) };
}

function ratio(a: number, b: number): number {
  return b === 0 ? 1 : a / b;
}
