import { baseEnvSchema, databaseEnvSchema, env, redisEnvSchema } from '@tokenflow/config';

export const billingEnvSchema = baseEnvSchema.extend(databaseEnvSchema.shape).extend(redisEnvSchema.shape).extend({
  /** How long an unsettled hold lives before the expiry job releases it (longer than any request may run). */
  HOLD_TTL_MS: env.int(15 * 60_000, 1_000),
  /** How often the expiry job looks for abandoned holds. */
  HOLD_SWEEP_MS: env.int(30_000, 100),
  /** Beyond HOLD_TTL_MS, how long a ledger hold may stay open with no Redis hold before it is recorded as lost. */
  HOLD_LOST_GRACE_MS: env.int(60_000, 0),
  /** How often the rollup job folds new usage entries into the per-model, per-category answer lengths `auto` reads. */
  OUTPUT_STATS_FOLD_MS: env.int(60_000, 100),
  /** How many recent UTC days `tf.billing.output-stats.v1` averages over. */
  OUTPUT_STATS_WINDOW_DAYS: env.int(7, 1, 366),
});
export type BillingConfig = ReturnType<typeof billingEnvSchema.parse>;
export const BILLING_CONFIG = Symbol('BILLING_CONFIG');
