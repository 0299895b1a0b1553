import type { HealthState } from '@tokenflow/contracts';
import type { RouterConfig } from '../config';

export type BreakerConfig = Pick<
  RouterConfig,
  'BREAKER_MIN_ATTEMPTS' | 'BREAKER_ERROR_RATE' | 'BREAKER_COOLDOWN_MS' | 'BREAKER_MAX_COOLDOWN_MS' | 'RATE_LIMIT_COOLDOWN_MS' | 'RATE_LIMIT_MAX_COOLDOWN_MS' | 'PROBE_INTERVAL_MS'
>;

/** Whether a closed target's window has failed enough to open its breaker. */
export function shouldTrip(attempts: number, failed: number, config: BreakerConfig): boolean {
  return attempts >= config.BREAKER_MIN_ATTEMPTS && failed / attempts >= config.BREAKER_ERROR_RATE;
}

/** The cool-down after `strikes` openings in a row: doubling from the first, capped. */
export function cooldownMs(strikes: number, config: BreakerConfig): number {
  return Math.min(config.BREAKER_MAX_COOLDOWN_MS, config.BREAKER_COOLDOWN_MS * 2 ** Math.max(0, strikes - 1));
}

/** A disabled key is probed again after a probe interval that doubles per failed probe (an upstream should not see a dead key hammered). */
export function disabledRetryMs(strikes: number, config: BreakerConfig): number {
  return Math.min(config.BREAKER_MAX_COOLDOWN_MS, config.PROBE_INTERVAL_MS * 2 ** Math.max(0, strikes - 1));
}

/** How long an upstream's rate limit keeps a key out: its `Retry-After`, else the default, never beyond the cap. */
export function rateLimitCooldownMs(retryAfterMs: number | undefined, config: BreakerConfig): number {
  return Math.min(config.RATE_LIMIT_MAX_COOLDOWN_MS, retryAfterMs ?? config.RATE_LIMIT_COOLDOWN_MS);
}

/**
 * Whether plans may use a target: `yes`; `last` — its cool-down is over but no probe has closed it yet, so it is
 * tried only after everything available (traffic heals it even if the probe job is down); `no` — out.
 */
export type Availability = 'yes' | 'last' | 'no';

export function availability(state: HealthState, until: number | null, now: number): Availability {
  switch (state) {
    case 'closed':
      return 'yes';
    case 'cooling':
      return until === null || until <= now ? 'yes' : 'no';
    case 'open':
    case 'disabled':
      return until !== null && until <= now ? 'last' : 'no';
    case 'half_open':
      return 'no';
  }
}
