import { baseEnvSchema, env, z } from '@tokenflow/config';

export const ingressEnvSchema = baseEnvSchema.extend({
  PORT: env.int(3000, 0, 65535),
  HOST: z.string().default('0.0.0.0'),
  /** Bearer token for /admin/v1; unset = the admin API refuses every call. */
  TOKENFLOW_ADMIN_KEY: z.string().min(16, 'must be at least 16 characters').optional(),
  /**
   * Largest accepted request body, decompressed (images in content parts make bodies large). Refused with 413
   * before it is read when Content-Length says so; bodies larger than one NATS message reach the adapter in parts.
   */
  BODY_LIMIT_BYTES: env.int(20 * 1024 * 1024, 1024),
  /** A client must have sent its whole request (headers and body) within this time, else 408. */
  REQUEST_BODY_TIMEOUT_MS: env.int(30_000, 1_000),
  /** Overall deadline for one request; a client may lower it with x-tokenflow-timeout-ms. */
  REQUEST_TIMEOUT_MS: env.int(600_000, 1_000),
  /**
   * When the limiter cannot count a request (Redis or the ratelimit service unreachable): `open` admits it
   * uncounted (billing's holds still protect the money), `closed` refuses it with 503. Logged and counted in
   * `tokenflow_ratelimit_degraded_total` either way.
   */
  RATELIMIT_FAIL_MODE: z.enum(['open', 'closed']).default('open'),
  /** Longest admission waits on the ratelimit service before the fail mode applies. */
  RATELIMIT_TIMEOUT_MS: env.int(1_000, 50, 30_000),
  /** How long a key lookup is trusted without asking billing; revocations are pushed and bypass it. */
  AUTH_CACHE_TTL_MS: env.int(60_000, 0),
  /**
   * When every key, channel and fallback model failed retryably, how many more tries may wait (an upstream's
   * `Retry-After`, else backoff with jitter from `RETRY_BASE_MS`) as delayed jobs on the adapters' retry queue.
   */
  RETRY_DELAYED_MAX: env.int(2, 0, 10),
  RETRY_BASE_MS: env.int(500, 1),
  /** The longest such a wait may be; an upstream asking for more is answered with its 429 and `Retry-After`. */
  RETRY_MAX_WAIT_MS: env.int(10_000, 0),
  /**
   * On SIGTERM, how long in-flight requests and streams may take to finish (readiness is false and new requests get
   * 503 meanwhile); what is still running then ends with an OpenAI error (an error event on a stream) and its upstream
   * attempt is cancelled (its usage is still billed). The cut answers then get 5 s to flush and NATS 3 s to drain:
   * whatever is still running at grace + 8 s is logged and the process exits 1 (`lifecycle/shutdown-deadline.ts`).
   * The default (20 s → at most 28 s) fits Kubernetes' default terminationGracePeriodSeconds (30 s); raise that
   * with this.
   */
  SHUTDOWN_GRACE_MS: env.int(20_000, 0, 600_000),
  /**
   * Per stream, how far the client may fall behind the upstream: the messages (and their bytes) waiting in its inbox
   * while its socket is full. Past either bound the attempt is cancelled and the client gets an error event, so one
   * slow reader holds at most this much memory.
   */
  STREAM_BUFFER_MAX_FRAMES: env.int(8_192, 16, 1_000_000),
  STREAM_BUFFER_MAX_BYTES: env.int(8 * 1024 * 1024, 64 * 1024, 1024 * 1024 * 1024),
});
export type IngressConfig = ReturnType<typeof ingressEnvSchema.parse>;
export const INGRESS_CONFIG = Symbol('INGRESS_CONFIG');
