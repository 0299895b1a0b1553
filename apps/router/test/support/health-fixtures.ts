import type { HealthReport, TargetStats } from '@tokenflow/contracts';
import type { RouterConfig } from '../../src/config';

/** Test fixtures for the health book (not used by the service). */
export type BookConfig = ConstructorParameters<typeof import('../../src/health/health-book').HealthBook>[0];

export function breakerConfig(over: Partial<RouterConfig> = {}): BookConfig {
  return {
    HEALTH_WINDOW_MS: 30_000,
    BREAKER_MIN_ATTEMPTS: 5,
    BREAKER_ERROR_RATE: 0.5,
    BREAKER_COOLDOWN_MS: 10_000,
    BREAKER_MAX_COOLDOWN_MS: 300_000,
    RATE_LIMIT_COOLDOWN_MS: 1_000,
    RATE_LIMIT_MAX_COOLDOWN_MS: 60_000,
    PROBE_INTERVAL_MS: 5_000,
    ...over,
  };
}

/** One adapter replica's report; a target defaults to the key `k` of its channel and model `m`, nothing in flight. */
export function report(targets: (Partial<TargetStats> & { channelId: string })[], replica = 'adapter-1'): HealthReport {
  return {
    replica,
    intervalMs: 1_000,
    targets: targets.map((t) => ({ keyRef: 'k', model: 'm', inFlight: 0, ok: 0, failed: 0, keyFailed: 0, ttftMs: [], outputTokens: 0, streamMs: 0, ...t })),
  };
}
