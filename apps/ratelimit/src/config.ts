import { baseEnvSchema, env, redisEnvSchema } from '@tokenflow/config';

export const ratelimitEnvSchema = baseEnvSchema.extend(redisEnvSchema.shape).extend({
  /** Requests per minute for a key that has no limit of its own; 0 disables the default limit. */
  DEFAULT_KEY_RPM: env.int(600, 0),
});
export type RatelimitConfig = ReturnType<typeof ratelimitEnvSchema.parse>;
export const RATELIMIT_CONFIG = Symbol('RATELIMIT_CONFIG');
