import { baseEnvSchema, databaseEnvSchema, env, redisEnvSchema } from '@tokenflow/config';

export const billingEnvSchema = baseEnvSchema.extend(databaseEnvSchema.shape).extend(redisEnvSchema.shape).extend({
  /** How long an unsettled hold lives before the expiry job releases it (longer than any request may run). */
  HOLD_TTL_MS: env.int(15 * 60_000, 1_000),
  /** How often the expiry job looks for abandoned holds. */
  HOLD_SWEEP_MS: env.int(30_000, 100),
  /** Beyond HOLD_TTL_MS, how long a ledger hold may stay open with no Redis hold before it is recorded as lost. */
  HOLD_LOST_GRACE_MS: env.int(60_000, 0),
});
export type BillingConfig = ReturnType<typeof billingEnvSchema.parse>;
export const BILLING_CONFIG = Symbol('BILLING_CONFIG');
