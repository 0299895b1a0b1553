import { baseEnvSchema, env, redisEnvSchema } from '@tokenflow/config';

export const ratelimitEnvSchema = baseEnvSchema.extend(redisEnvSchema.shape).extend({
  /** Requests per minute for a key that has no limit of its own; 0 disables the default limit. */
  DEFAULT_KEY_RPM: env.int(600, 0),
  /** Longest a limiter call may wait on Redis before answering `degraded` (ingress's fail mode then decides). */
  RATELIMIT_REDIS_TIMEOUT_MS: env.int(250, 10, 10_000),
  /** Longest a concurrency slot outlives a holder that never released it; ingress asks for its deadline + slack. */
  CONCURRENCY_LEASE_MS: env.int(15 * 60_000, 1_000),
  /** The ops HTTP surface (/healthz, /readyz, /metrics) on this port; 0 = an ephemeral one, announced at boot (containers: 9464). */
  OPS_PORT: env.int(0, 0, 65_535),
});
export type RatelimitConfig = ReturnType<typeof ratelimitEnvSchema.parse>;
export const RATELIMIT_CONFIG = Symbol('RATELIMIT_CONFIG');
