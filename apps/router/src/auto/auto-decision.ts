import type { AutoSignal, RouteMode } from '@tokenflow/contracts';

export type Tier = 'economy' | 'standard' | 'premium';

/** A model `auto` may choose: the key may use it and it has an available channel. */
export interface AutoCandidate {
  id: string;
  tier: Tier;
  /** Expected quality per category, 0–1. */
  strengths: Record<string, number>;
  outputFactor: number;
  /**
   * How many completion tokens (thinking included) this model's answers in the request's category averaged in the
   * ledger, once enough were seen; absent or null: the category prior × `outputFactor` is expected instead.
   */
  observedOutputTokens?: number | null;
  /** The price book's per-token prices (nano-USD); null: not priced, so never chosen. */
  inputNano: number | null;
  outputNano: number | null;
  /**
   * The best p95 time to first token among the channels the plan would use (with a latency target: those that meet
   * it, when any does); null: not measured yet.
   */
  p95TtftMs: number | null;
}

export interface CategoryPrior {
  gain: number;
  /** How much the classifier's gain counts against this prior (1: only the classifier). */
  classifierWeight: number;
  /** Added per doubling of the prompt past `SIZE_FROM_TOKENS`, at most `SIZE_MAX_DOUBLINGS` times (a large code task). */
  gainPerDoubling?: number;
  outputTokens: number;
}

export interface AutoPolicy {
  priors: Record<string, CategoryPrior>;
  /** Added to the classifier's threshold per mode: economy needs a larger gain to go premium, quality a smaller one. */
  modeOffsets: Record<RouteMode, number>;
}

export interface AutoDecision {
  /** The chosen model, then the ranked rest (the fallback chain). Empty: nothing may serve. */
  ranked: string[];
  category: string;
  /** The blended gain the decision used. */
  gain: number;
  mode: RouteMode;
  premium: boolean;
  /** Expected cost of the chosen model (USD). */
  estUsd: number;
  reason: string;
}

/** Quality a model is assumed to have in a category it names no strength for. */
const TIER_QUALITY: Record<Tier, number> = { economy: 0.75, standard: 0.8, premium: 0.9 };
const TIER_ORDER: Record<Tier, number> = { economy: 0, standard: 1, premium: 2 };
/** Where a prompt starts to count as large, and from how many doublings past it size says nothing more (4,096 tokens). */
const SIZE_FROM_TOKENS = 256;
const SIZE_MAX_DOUBLINGS = 4;
/** Candidates this close in value are near-ties, which the latency target (or speed) breaks. */
const NEAR_TIE = 0.05;

/**
 * `auto`'s choice, a pure function of the request's signal, the candidates and the policy. The blended gain
 * (classifier and category prior, weighted per category by how well the classifier's data covers it) against the
 * mode's threshold decides whether a premium model is worth it; then:
 * - premium: the best quality for the category, the cheaper of equals first;
 * - otherwise: the best quality per expected dollar (prompt and expected output at each model's prices, a
 *   reasoning model's thinking included: what the ledger saw it write in the category, else the prior's estimate).
 * A price cap and an allow-list from the request narrow the candidates; a latency target drops models whose p95 TTFT
 * misses it (unless none meets it) and breaks near-ties by speed. The ranked rest is the fallback chain.
 */
export function decideAuto(signal: AutoSignal, candidates: AutoCandidate[], policy: AutoPolicy): AutoDecision {
  const mode = signal.prefs.mode ?? 'balanced';
  const prior: CategoryPrior = policy.priors[signal.category] ?? policy.priors.chat ?? { gain: 0, classifierWeight: 1, outputTokens: 200 };
  const w = prior.classifierWeight;
  const size = sizeGain(prior, signal.promptTokens);
  const gain = round3(w * signal.gain + (1 - w) * prior.gain + size);
  const threshold = signal.threshold + policy.modeOffsets[mode];
  const premium = gain >= threshold;
  const notes: string[] = [];
  if (size > 0) notes.push(`size +${round3(size)}`);

  let pool = candidates.filter((c) => c.inputNano !== null && c.outputNano !== null);
  if (signal.prefs.models?.length) pool = pool.filter((c) => signal.prefs.models!.includes(c.id));
  const cap = signal.prefs.maxPricePer1mOutput;
  // nano-USD per token × 1e6 tokens ÷ 1e9 = USD per 1M tokens.
  if (cap !== undefined) pool = pool.filter((c) => c.outputNano! / 1_000 <= cap);
  const target = signal.prefs.latencyTargetMs;
  if (target !== undefined) {
    const fast = pool.filter((c) => c.p95TtftMs === null || c.p95TtftMs <= target);
    if (fast.length) pool = fast;
    else notes.push(`no model meets ${target} ms`);
  }

  const scored = pool.map((c) => {
    const quality = c.strengths[signal.category] ?? TIER_QUALITY[c.tier];
    const output = expectedOutput(c, prior, signal.maxTokens);
    const costNano = signal.promptTokens * c.inputNano! + output.tokens * c.outputNano!;
    return { c, quality, costNano, output, value: premium ? quality : quality / Math.max(1, costNano) };
  });
  scored.sort((a, b) => {
    if (premium && a.c.tier !== b.c.tier) return TIER_ORDER[b.c.tier] - TIER_ORDER[a.c.tier];
    const near = Math.abs(a.value - b.value) <= NEAR_TIE * Math.max(a.value, b.value);
    if (!near) return b.value - a.value;
    if (target !== undefined && a.c.p95TtftMs !== b.c.p95TtftMs) return (a.c.p95TtftMs ?? Infinity) - (b.c.p95TtftMs ?? Infinity);
    return a.costNano - b.costNano;
  });
  const best = scored[0];
  const why = premium ? `gain ${gain} >= ${round3(threshold)}: best ${signal.category} quality` : `gain ${gain} < ${round3(threshold)}: best ${signal.category} quality per $`;
  if (best) notes.push(`~${Math.round(best.output.tokens)} output tokens (${best.output.source})`);
  return {
    ranked: scored.map((s) => s.c.id),
    category: signal.category,
    gain,
    mode,
    premium,
    estUsd: best ? best.costNano / 1e9 : 0,
    reason: [why, ...notes].join(', '),
  };
}

/** The prior's bonus for a large prompt: `gainPerDoubling` per doubling past 256 tokens, at most four doublings. */
function sizeGain(prior: CategoryPrior, promptTokens: number): number {
  if (!prior.gainPerDoubling || promptTokens <= SIZE_FROM_TOKENS) return 0;
  return prior.gainPerDoubling * Math.min(SIZE_MAX_DOUBLINGS, Math.log2(promptTokens / SIZE_FROM_TOKENS));
}

/**
 * The output tokens a candidate is expected to bill: what its answers in this category averaged in the ledger, else
 * the category's prior × its output factor (a reasoning model's thinking) — never more than the request allows,
 * `max_tokens` (times the output factor: a reasoning model thinks on top of the answer it caps). A cap is a bound,
 * not an expectation: a client that always sends 4096 does not get 4096-token answers to "hi".
 */
function expectedOutput(c: AutoCandidate, prior: CategoryPrior, maxTokens: number | null): { tokens: number; source: 'ledger' | 'prior' | 'max_tokens' } {
  const typical = c.observedOutputTokens ?? prior.outputTokens * c.outputFactor;
  const source = c.observedOutputTokens != null ? 'ledger' : 'prior';
  if (maxTokens === null) return { tokens: typical, source };
  const cap = maxTokens * c.outputFactor;
  return cap < typical ? { tokens: cap, source: 'max_tokens' } : { tokens: typical, source };
}

/** The `x-tokenflow-route` value: `cat=math;gain=0.35;mode=balanced;est_usd=0.0012;reason=…;fallback=a,b`. */
export function explain(d: AutoDecision, fallbacks: string[]): string {
  const usd = d.estUsd.toPrecision(2);
  return `cat=${d.category};gain=${d.gain};mode=${d.mode};est_usd=${usd};reason=${d.reason.replace(/[;\r\n]/g, ' ')};fallback=${fallbacks.join(',')}`;
}

function round3(x: number): number {
  return Math.round(x * 1000) / 1000;
}
