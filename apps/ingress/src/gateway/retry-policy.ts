import type { PlannedAttempt, TfError } from '@tokenflow/contracts';

export interface FailedAttempt {
  attempt: PlannedAttempt;
  error: TfError;
  /** When it failed (epoch ms): a `Retry-After` counts from then. */
  at: number;
}

export interface WaitBudget {
  /** Tries that already waited in this call: each backoff doubles. */
  delayedSoFar: number;
  baseMs: number;
  maxWaitMs: number;
  /** What is left of the call's deadline. */
  remainingMs: number;
}

/**
 * Failures worth waiting out: an upstream's rate limit and its server errors or overload. A timeout is not (it
 * already cost its whole wait), nor a key the upstream refused (waiting does not fix credentials).
 */
const WAITABLE = new Set(['rate_limit_exceeded', 'upstream_error']);
/** A try that waits must leave at least this much of the deadline to run in. */
const MIN_RUN_MS = 1_000;

/**
 * The try that waits: among the attempts that failed in a waitable way, the one that can go soonest — its
 * upstream's `Retry-After`, else exponential backoff with jitter (half to all of `baseMs × 2^n`) — preferring, at
 * equal wait, a key other than the one that failed last. None when the wait would exceed `maxWaitMs` or the deadline.
 */
export function nextDelayedTry(failures: FailedAttempt[], budget: WaitBudget, now = Date.now(), random: () => number = Math.random): { attempt: PlannedAttempt; delayMs: number } | null {
  const last = failures.at(-1)?.attempt;
  const backoff = Math.round(budget.baseMs * 2 ** budget.delayedSoFar * (0.5 + random() / 2));
  let best: { attempt: PlannedAttempt; delayMs: number } | null = null;
  const seen = new Set<string>();
  for (let i = failures.length - 1; i >= 0; i--) {
    const f = failures[i];
    const id = `${f.attempt.channelId}/${f.attempt.keyRef}`;
    // A key's latest failure is what counts.
    if (seen.has(id) || !WAITABLE.has(f.error.code)) {
      seen.add(id);
      continue;
    }
    seen.add(id);
    const delayMs = f.error.retryAfterMs !== undefined ? Math.max(0, f.error.retryAfterMs - (now - f.at)) : backoff;
    const better = !best || delayMs < best.delayMs || (delayMs === best.delayMs && best.attempt === last);
    if (better) best = { attempt: f.attempt, delayMs: Math.max(1, delayMs) };
  }
  if (!best || best.delayMs > budget.maxWaitMs || best.delayMs + MIN_RUN_MS > budget.remainingMs) return null;
  return best;
}
