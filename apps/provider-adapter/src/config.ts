import { baseEnvSchema, env } from '@tokenflow/config';

export const adapterEnvSchema = baseEnvSchema.extend({
  /** Keep-alive connections per upstream origin. */
  UPSTREAM_CONNECTIONS: env.int(256, 1, 10_000),
  /** Largest upstream error body read (bytes); the rest is dropped. */
  UPSTREAM_ERROR_BODY_LIMIT: env.int(64 * 1024, 1024),
});
export type AdapterConfig = ReturnType<typeof adapterEnvSchema.parse>;
export const ADAPTER_CONFIG = Symbol('ADAPTER_CONFIG');
