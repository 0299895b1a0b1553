import { baseEnvSchema, env, redisEnvSchema } from '@tokenflow/config';

// REDIS_URL (shared schema): the retry queue, where delayed attempts wait so any replica can run them.
export const adapterEnvSchema = baseEnvSchema.extend(redisEnvSchema.shape).extend({
  /** Keep-alive connections per upstream origin. */
  UPSTREAM_CONNECTIONS: env.int(256, 1, 10_000),
  /** Largest upstream error body read (bytes); the rest is dropped. */
  UPSTREAM_ERROR_BODY_LIMIT: env.int(64 * 1024, 1024),
  /** How often each replica broadcasts its attempt statistics per channel key (`tf.adapter.health-report.v1`). */
  HEALTH_REPORT_MS: env.int(1_000, 50),
});
export type AdapterConfig = ReturnType<typeof adapterEnvSchema.parse>;
export const ADAPTER_CONFIG = Symbol('ADAPTER_CONFIG');
