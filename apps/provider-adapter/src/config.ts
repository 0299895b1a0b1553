import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { baseEnvSchema, env, redisEnvSchema } from '@tokenflow/config';
import { z } from 'zod';

// REDIS_URL (shared schema): the retry queue, where delayed attempts wait so any replica can run them.
export const adapterEnvSchema = baseEnvSchema.extend(redisEnvSchema.shape).extend({
  /** Keep-alive connections per upstream origin. */
  UPSTREAM_CONNECTIONS: env.int(256, 1, 10_000),
  /** Largest upstream error body read (bytes); the rest is dropped. */
  UPSTREAM_ERROR_BODY_LIMIT: env.int(64 * 1024, 1024),
  /** How often each replica broadcasts its attempt statistics per channel key (`tf.adapter.health-report.v1`). */
  HEALTH_REPORT_MS: env.int(1_000, 50),
  /**
   * The usage spool (write-ahead journal of usage events until JetStream acknowledges them): an absolute path, created
   * at boot if missing. Give each pod a volume that outlives the container (replicas sharing one directory take a slot
   * each; a restarted one replays what the previous process left).
   */
  USAGE_SPOOL_DIR: z
    .string()
    .default(join(tmpdir(), 'tokenflow', 'usage-spool'))
    .refine((v) => v.startsWith('/'), 'must be an absolute path'),
  /** Unacknowledged usage events held in memory at most; the rest wait on disk. */
  USAGE_SPOOL_MEMORY_EVENTS: env.int(10_000, 1, 1_000_000),
  /** Size past which a spool segment takes no new events (it is deleted once all its events are acknowledged). */
  USAGE_SPOOL_SEGMENT_BYTES: env.int(4 * 1024 * 1024, 4 * 1024),
  /**
   * On SIGTERM, the whole graceful shutdown: stopping intake, attempts in flight, ending the rest, flushing usage
   * (`shutdown/adapter-shutdown.ts`). The hard exit comes 5 s later, so the default fits Kubernetes' 30 s.
   */
  SHUTDOWN_GRACE_MS: env.int(20_000, 0, 10 * 60_000),
  /** The ops HTTP surface (/healthz, /readyz, /metrics) on this port; 0 = an ephemeral one, announced at boot (containers: 9464). */
  OPS_PORT: env.int(0, 0, 65_535),
});
export type AdapterConfig = ReturnType<typeof adapterEnvSchema.parse>;
export const ADAPTER_CONFIG = Symbol('ADAPTER_CONFIG');
