import type { RateLimitsView } from './billing.contract';
import type { RateLimits } from './ratelimit.contract';

export const NO_RATE_LIMITS: RateLimitsView = { rpm: null, tpm: null, max_concurrency: null, model_limits: null };

/** Applies a partial change (undefined keeps a field, null clears it) to stored limits. */
export function mergeRateLimits(current: RateLimitsView | null, change: Partial<RateLimitsView>): RateLimitsView {
  const base = current ?? NO_RATE_LIMITS;
  return {
    rpm: change.rpm === undefined ? base.rpm : change.rpm,
    tpm: change.tpm === undefined ? base.tpm : change.tpm,
    max_concurrency: change.max_concurrency === undefined ? base.max_concurrency : change.max_concurrency,
    model_limits: change.model_limits === undefined ? base.model_limits : change.model_limits,
  };
}

/** The admin API's form → what the limiter receives (null when nothing is limited). */
export function toRateLimits(v: RateLimitsView | null): RateLimits | null {
  if (!v || (v.rpm === null && v.tpm === null && v.max_concurrency === null && !v.model_limits)) return null;
  const models = v.model_limits
    ? Object.fromEntries(Object.entries(v.model_limits).map(([m, l]) => [m, { rpm: l.rpm ?? null, tpm: l.tpm ?? null }]))
    : null;
  return { rpm: v.rpm, tpm: v.tpm, maxConcurrency: v.max_concurrency, models };
}
