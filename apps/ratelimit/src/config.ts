import { baseEnvSchema, env, redisEnvSchema } from '@tokenflow/config';
import { z } from 'zod';

export const ratelimitEnvSchema = baseEnvSchema.extend(redisEnvSchema.shape).extend({
  /** Requests per minute for a key that has no limit of its own; 0 disables the default limit. */
  DEFAULT_KEY_RPM: env.int(600, 0),
  /**
   * What happens when Redis cannot be reached: `open` admits requests uncounted (billing's holds still protect the
   * money), `closed` refuses them with 503. Either way it is logged and counted, and it never waits on Redis.
   */
  RATELIMIT_FAIL_MODE: z.enum(['open', 'closed']).default('open'),
  /** Longest a limiter call may wait on Redis before the fail mode applies. */
  RATELIMIT_REDIS_TIMEOUT_MS: env.int(250, 10, 10_000),
  /** How long a concurrency slot outlives a holder that never released it (longer than any request may run). */
  CONCURRENCY_LEASE_MS: env.int(15 * 60_000, 1_000),
});
export type RatelimitConfig = ReturnType<typeof ratelimitEnvSchema.parse>;
export const RATELIMIT_CONFIG = Symbol('RATELIMIT_CONFIG');
