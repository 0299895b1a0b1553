import { baseEnvSchema, databaseEnvSchema, env, redisEnvSchema, z } from '@tokenflow/config';
import { usdToNano } from '@tokenflow/contracts';

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
  /**
   * While settlement cannot write the ledger: the most each account may hold in new requests (their maximum cost,
   * counted from the moment the ledger became unavailable) before its holds fail closed with 503
   * `ledger_unavailable`. USD, a decimal string; "0" refuses every new hold during an outage (docs/decisions/0016).
   */
  UNSETTLED_LIMIT_USD: z
    .string()
    .default('5.00')
    .refine((v) => usdToNano(v) !== null, 'must be a non-negative USD amount such as "5.00"'),
  /** Statement limit of a settlement transaction: below the consumer's ack wait, so a stuck batch fails before it is redelivered. */
  SETTLEMENT_STATEMENT_TIMEOUT_MS: env.int(5_000, 100, 60_000),
  /** How often parked usage events (billing.parked_usage) are replayed on their own. */
  PARKED_REPLAY_MS: env.int(60_000, 100),
  /** The ops HTTP surface (/healthz, /readyz, /metrics) on this port; 0 = an ephemeral one, announced at boot (containers: 9464). */
  OPS_PORT: env.int(0, 0, 65_535),
  /** How many days `billing.request_log` keeps an entry (by its request's time); 0 keeps them forever (decision 0020). */
  REQUEST_LOG_RETENTION_DAYS: env.int(30, 0, 36_500),
  /**
   * Replicas of the JetStream streams billing owns (usage, request log): 1 on one NATS server, 3 on a three-node
   * cluster (the Kubernetes base), so settlement's input survives a node. Applied at boot to existing streams too.
   */
  NATS_STREAM_REPLICAS: env.int(1, 1, 5),
  /** How often the retention job deletes expired request log entries. */
  REQUEST_LOG_SWEEP_MS: env.int(600_000, 100),
  /** How many days a stored Responses API response is kept (by its `created_at`); 0 keeps them forever (decision 0022). */
  RESPONSES_RETENTION_DAYS: env.int(30, 0, 36_500),
  /** How often the retention job deletes expired stored responses. */
  RESPONSES_SWEEP_MS: env.int(600_000, 100),
  /** The most one stored response (its input items and Response object, as JSON) may take; larger: 413. */
  RESPONSES_STORE_MAX_BYTES: env.int(32 * 1024 * 1024, 1_024),
  /** The most a continuation (`previous_response_id`) may carry over from its chain, as JSON; larger: 400. */
  RESPONSES_CONTEXT_MAX_BYTES: env.int(20 * 1024 * 1024, 1_024),
  /** The most turns a continuation's chain may have; longer: 400. */
  RESPONSES_CONTEXT_MAX_TURNS: env.int(100, 1, 10_000),
});
export type BillingConfig = ReturnType<typeof billingEnvSchema.parse>;
export const BILLING_CONFIG = Symbol('BILLING_CONFIG');
