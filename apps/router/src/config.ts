import { baseEnvSchema, databaseEnvSchema, env, redisEnvSchema, z } from '@tokenflow/config';

export const routerEnvSchema = baseEnvSchema.extend(databaseEnvSchema.shape).extend(redisEnvSchema.shape).extend({
  /** What `model: "auto"` resolves to without a classifier signal (non-chat APIs) or when nothing is priced and available. */
  AUTO_DEFAULT_MODEL: z.string().min(1).default('deepseek-v3'),
  /** Added to the classifier's threshold: `economy` needs a larger expected gain to go premium, `quality` a smaller one. */
  AUTO_ECONOMY_OFFSET: z.coerce.number().min(0).max(2).default(0.1),
  AUTO_QUALITY_OFFSET: z.coerce.number().min(0).max(2).default(0.1),
  /**
   * How many settled answers of a model in a category the ledger must have seen before `auto` expects their average
   * length instead of the category prior × the model's output factor.
   */
  AUTO_OUTPUT_MIN_SAMPLES: env.int(20, 1),
  /** How often the router re-reads those averages from billing (`tf.billing.output-stats.v1`). */
  AUTO_OUTPUT_STATS_REFRESH_MS: env.int(60_000, 100),
  /** How many of a channel's available keys one plan may try before moving to the next channel. */
  PLAN_KEYS_PER_CHANNEL: env.int(3, 1, 32),
  /** The rolling window over which key and channel error rates, TTFT and tokens/s are measured. */
  HEALTH_WINDOW_MS: env.int(30_000, 1_000),
  /** A breaker opens when at least this many attempts in the window failed at `BREAKER_ERROR_RATE` or more. */
  BREAKER_MIN_ATTEMPTS: env.int(5, 1),
  BREAKER_ERROR_RATE: z.coerce.number().gt(0).max(1).default(0.5),
  /** The first cool-down of an open breaker; each further strike doubles it, up to `BREAKER_MAX_COOLDOWN_MS`. */
  BREAKER_COOLDOWN_MS: env.int(10_000, 100),
  BREAKER_MAX_COOLDOWN_MS: env.int(5 * 60_000, 100),
  /** How long a key an upstream rate-limited without a `Retry-After` stays out (and the most any `Retry-After` keeps it out). */
  RATE_LIMIT_COOLDOWN_MS: env.int(1_000, 0),
  RATE_LIMIT_MAX_COOLDOWN_MS: env.int(60_000, 0),
  /** How often the probe job looks for open breakers and disabled keys due a probe (one BullMQ job across replicas). */
  PROBE_INTERVAL_MS: env.int(5_000, 100),
  /** The ops HTTP surface (/healthz, /readyz, /metrics) on this port; 0 = an ephemeral one, announced at boot (containers: 9464). */
  OPS_PORT: env.int(0, 0, 65_535),
});
export type RouterConfig = ReturnType<typeof routerEnvSchema.parse>;
export const ROUTER_CONFIG = Symbol('ROUTER_CONFIG');
