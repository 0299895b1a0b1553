import { type LimitState, type RateLimitAcquireReply, rateLimitHeaders, TfError } from '@tokenflow/contracts';
import type { Bucket } from './buckets';

/** What the limiter answers when Redis cannot be asked: nothing counted, but maybe taken (the script may have run). */
export const DEGRADED_REPLY: RateLimitAcquireReply = { requests: null, tokens: null, degraded: true, reserved: true };

/** Upstream quota denials without a time to wait (larger than the limit) suggest a minute: the window's length. */
const UPSTREAM_DEFAULT_RETRY_MS = 60_000;

/**
 * ACQUIRE_LUA's answer for a request's own limits → the grant (with the header values), or the 429 naming the limit
 * that denied it. Reply layout (limit-scripts.lua.ts): granted `{1, six header values}`, denied
 * `{0, denied bucket (1-based), retry ms (-1: the request is larger than that limit), six header values}`.
 */
export function acquireReply(res: number[], buckets: Bucket[], estimatedTokens: number): RateLimitAcquireReply {
  const granted = res[0] === 1;
  const dims = granted ? res.slice(1) : res.slice(3);
  const state = { requests: limitState(dims[0], dims[1], dims[2]), tokens: limitState(dims[3], dims[4], dims[5]) };
  // Requests per minute need no release; slots and token reservations do.
  if (granted) return buckets.some((b) => b.kind !== 'r') ? { ...state, reserved: true } : state;
  const bucket = buckets[res[1] - 1];
  const retryMs = res[2];
  if (retryMs < 0) {
    throw new TfError(
      'rate_limit_exceeded',
      `Request too large: it may use ${estimatedTokens} tokens, more than the limit of ${bucket.limit} ${bucket.label}. Lower max_tokens or shorten the prompt.`,
      { headers: rateLimitHeaders(state) },
    );
  }
  throw new TfError('rate_limit_exceeded', `Rate limit exceeded. Try again in ${(retryMs / 1000).toFixed(1)}s. Limit: ${bucket.limit} ${bucket.label}.`, {
    retryAfterMs: retryMs,
    headers: rateLimitHeaders(state),
  });
}

/**
 * ACQUIRE_LUA's answer for an upstream key's quota: null when granted, else a retryable 429 (ingress moves on to the
 * next channel; the caller sees it only when every channel is saturated).
 */
export function upstreamDenial(res: number[], model: string): TfError | null {
  if (res[0] === 1) return null;
  const retryMs = res[2] < 0 ? UPSTREAM_DEFAULT_RETRY_MS : res[2];
  return new TfError('rate_limit_exceeded', `Upstream capacity for ${model} is exhausted. Try again in ${(retryMs / 1000).toFixed(1)}s.`, {
    retryAfterMs: retryMs,
    retryable: true,
  });
}

/** One header dimension; the script sends limit -1 when no limit of that dimension applied. */
export function limitState(limit: number, remaining: number, resetMs: number): LimitState | null {
  return limit < 0 ? null : { limit, remaining, resetMs };
}
