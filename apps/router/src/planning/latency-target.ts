import type { PlannedAttempt } from '@tokenflow/contracts';
import type { Selection } from './attempt-selection';

/** A model's attempts as `auto` would plan them, and the p95 TTFT that decides whether the model meets a target. */
export interface TimedSelection {
  selection: Selection;
  /** The best recent p95 TTFT among the planned channels; null: none measured yet. */
  p95TtftMs: number | null;
}

/**
 * A latency target applies per channel: only a model's channels whose recent p95 TTFT meets it (or that were not
 * measured yet) stay in its plan, and the model's p95 is the best of those. When none of them meets it, the
 * selection stays whole and its p95 — the best measured, a miss — tells `decideAuto`, which drops such a model
 * unless no model meets the target. Pure: `p95Of` reads a health snapshot.
 */
export function withinLatencyTarget(sel: Selection, p95Of: (channelId: string) => number | null, targetMs: number | undefined): TimedSelection {
  if (targetMs === undefined) return { selection: sel, p95TtftMs: bestP95(sel.attempts, p95Of) };
  const meets = (a: PlannedAttempt) => {
    const p95 = p95Of(a.channelId);
    return p95 === null || p95 <= targetMs;
  };
  const fast = sel.attempts.filter(meets);
  if (fast.length === 0) return { selection: sel, p95TtftMs: bestP95(sel.attempts, p95Of) };
  return { selection: { attempts: fast, lastResort: sel.lastResort.filter(meets) }, p95TtftMs: bestP95(fast, p95Of) };
}

function bestP95(attempts: PlannedAttempt[], p95Of: (channelId: string) => number | null): number | null {
  let best: number | null = null;
  for (const a of attempts) {
    const p95 = p95Of(a.channelId);
    if (p95 !== null && (best === null || p95 < best)) best = p95;
  }
  return best;
}
