import type { ErrorCode, TfError } from '@tokenflow/contracts';

/** How one attempt ended, as a channel's health sees it. */
export type AttemptOutcome =
  | { kind: 'ok'; ttftMs: number | null; outputTokens: number; streamMs: number }
  /** Says something about the channel: connect errors, timeouts, 5xx, overloaded, a cut stream. */
  | { kind: 'failed' }
  /** Says something about this key alone: bad credentials, no credit, rate limited. */
  | { kind: 'key_failed' }
  /** Says nothing about the upstream: the client cancelled, or the attempt never reached it. */
  | { kind: 'neutral' };

const KEY_FAILURES = new Set<ErrorCode>(['upstream_auth_error', 'upstream_quota_error', 'rate_limit_exceeded']);
/** The upstream worked and refused the caller's request: a healthy answer, just without a first token. */
const CALLER_ERRORS = new Set<ErrorCode>(['invalid_request', 'context_length_exceeded']);

/**
 * A failed attempt's outcome. `calledUpstream`: the request was handed to the upstream client; a failure before that
 * (key lookup, a provider rule, our own upstream-quota limiter's 429) is ours, not the channel's. `deadline`: the
 * request's overall deadline passed, which is the caller's budget, not the channel's health (a channel too slow is
 * caught by its own first-byte and idle deadlines, which fail as `upstream_timeout`).
 */
export function failedOutcome(error: TfError | 'cancelled' | 'deadline', calledUpstream: boolean): AttemptOutcome {
  if (error === 'cancelled' || error === 'deadline' || !calledUpstream) return { kind: 'neutral' };
  if (KEY_FAILURES.has(error.code)) return { kind: 'key_failed' };
  if (CALLER_ERRORS.has(error.code)) return { kind: 'ok', ttftMs: null, outputTokens: 0, streamMs: 0 };
  return { kind: 'failed' };
}

/**
 * A successful attempt's outcome. Times run from `sentAt` (the request leaving for the upstream), not from the
 * attempt's start: our own hops (key lookup, quota) say nothing about the channel. `ttft`: false for answers that
 * are not a token stream (embeddings), whose latency would skew the channel's time to first token.
 */
export function okOutcome(o: { sentAt: number; firstChunkAt: number | null; endedAt: number; outputTokens: number; ttft: boolean }): AttemptOutcome {
  return {
    kind: 'ok',
    ttftMs: o.ttft && o.firstChunkAt !== null ? Math.max(0, o.firstChunkAt - o.sentAt) : null,
    outputTokens: o.outputTokens,
    streamMs: o.firstChunkAt === null ? 0 : Math.max(0, o.endedAt - o.firstChunkAt),
  };
}
