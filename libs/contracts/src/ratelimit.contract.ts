import type { UpstreamLimits } from './router.contract';

/** Per-model limits inside a key's or an account's own. */
export interface ModelRateLimits {
  rpm: number | null;
  tpm: number | null;
}

/** The limits of one scope (an API key or an account); null = unlimited. */
export interface RateLimits {
  /** Requests per minute. For a key, null means the deployment's default. */
  rpm: number | null;
  /** Tokens per minute, input + output. */
  tpm: number | null;
  /** Requests in flight at once. */
  maxConcurrency: number | null;
  models: Record<string, ModelRateLimits> | null;
}

export interface RateLimitAcquireRequest {
  requestId: string;
  accountId: string;
  keyId: string;
  /** The real model (after `auto`). */
  model: string;
  /** Prompt tokens plus the most output the request may produce: reserved against TPM, corrected from usage. */
  estimatedTokens: number;
  key: RateLimits | null;
  account: RateLimits | null;
  /** How long a concurrency slot may outlive a holder that never releases it: the request's deadline plus slack. */
  leaseMs?: number;
}

/** One dimension (requests or tokens) of the most constraining limit that applied: what the headers show. */
export interface LimitState {
  limit: number;
  remaining: number;
  /** Until this dimension is back to its full limit. */
  resetMs: number;
}

/** Denials are errors (`rate_limit_exceeded` with retryAfterMs and headers); a grant carries the header values. */
export interface RateLimitAcquireReply {
  requests: LimitState | null;
  tokens: LimitState | null;
  /**
   * Redis was unreachable, so nothing was counted. Whether the request runs anyway is ingress's fail mode
   * (`RATELIMIT_FAIL_MODE`); it is `reserved`, because a script that ran before a timeout may have taken slots.
   */
  degraded?: boolean;
  /** A concurrency slot or a TPM reservation was taken: the request's end must be reported (release). */
  reserved?: boolean;
}

/** Before an attempt calls an upstream key that has limits (the provider's quota for that key). */
export interface UpstreamAcquireRequest {
  requestId: string;
  model: string;
  limits: UpstreamLimits;
  estimatedTokens: number;
}
/** The attempt ended: `actualTokens` replaces the estimate; -1 gives it back whole (nothing reached the upstream). */
export interface UpstreamSettleEvent {
  requestId: string;
  ref: string;
  actualTokens: number;
}

/** The request ended (any way): its concurrency slots are freed. */
export interface RateLimitReleaseEvent {
  requestId: string;
  accountId: string;
  /** No usage event will correct this request's TPM reservation (it never reached an upstream): refund it whole. */
  refundTokens: boolean;
}
