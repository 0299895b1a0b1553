import type { WireError } from './errors';
import type { PlannedAttempt } from './router.contract';

/**
 * A key's or channel's breaker: `closed` serves; `open` is out for a cool-down after too many errors, then
 * `half_open` while one probe decides; `disabled` (bad credentials, no credit) stays out until a probe passes;
 * `cooling` is a key an upstream rate-limited, out until its `Retry-After` passes.
 */
export type HealthState = 'closed' | 'open' | 'half_open' | 'disabled' | 'cooling';

/** One channel key's attempts for one model over one report interval, as one adapter replica saw them. */
export interface TargetStats {
  channelId: string;
  /** The attempts' `keyRef`. */
  keyRef: string;
  /**
   * Our model id: a channel's breaker is per model (an upstream may fail one model and serve the others), while a
   * key's counts sum over its models.
   */
  model: string;
  /** Attempts running at the end of the interval. */
  inFlight: number;
  /** Attempts that produced an answer (the upstream accepted the request and streamed or answered). */
  ok: number;
  /** Failures that say something about the channel (connect errors, timeouts, 5xx, overloaded, cut streams). */
  failed: number;
  /** Failures that speak about this key alone (401/403, no credit, 429): they count against the key, not the channel. */
  keyFailed: number;
  /** Time to first token of successful attempts, a bounded sample (at most `MAX_TTFT_SAMPLES`). */
  ttftMs: number[];
  /** Output tokens and the time spent streaming them, for tokens per second. */
  outputTokens: number;
  streamMs: number;
}
export const MAX_TTFT_SAMPLES = 16;

/** What each adapter replica broadcasts every report interval: every router replica folds it into its health book. */
export interface HealthReport {
  /** The reporting adapter replica (its in-flight counts replace its previous report's). */
  replica: string;
  intervalMs: number;
  targets: TargetStats[];
}

/** A breaker changed state. Broadcast by the router replica that decided it; every replica applies it. */
export interface HealthChangedEvent {
  channelId: string;
  /** A key's breaker (all its models), or null for the channel's breaker for `model`. */
  keyRef: string | null;
  /** The channel breaker's model; null for a key's breaker. */
  model: string | null;
  state: HealthState;
  reason: string;
  /** When an `open`/`cooling` target may be tried again (epoch ms); null for the others. */
  until: number | null;
  /** How many cool-downs in a row (the next one is longer). */
  strikes: number;
  at: number;
}

/** A minimal request (one token) on one key of a channel, sent by the breaker's probe job and the admin test. */
export interface ProbeRequest {
  attempt: PlannedAttempt;
  /** Our model id the probe asks for (the attempt's `upstreamModel` is what goes upstream). */
  model: string;
}
export interface ProbeReply {
  ok: boolean;
  latencyMs: number;
  /** The first words of the upstream's answer (never more than a few hundred characters). */
  answer: string | null;
  error: WireError | null;
}

/** One key's or one channel's health in the admin API. */
export interface HealthView {
  status: HealthState;
  reason: string | null;
  /** When an open or cooling target is tried again, or a disabled one probed (ISO), else null. */
  until: string | null;
  /** Errors / attempts over the rolling window (null: no attempts in it). */
  error_rate: number | null;
  attempts_in_window: number;
  p50_ttft_ms: number | null;
  tokens_per_second: number | null;
  in_flight: number;
}
/**
 * A channel's health: its numbers over all its models, with the status of the worst of its models' breakers; then
 * each model's breaker, and each key's.
 */
export interface ChannelHealthView extends HealthView {
  /** Per model it serves, in the channel's model order. */
  models: (HealthView & { model: string })[];
  /** Per key, in the channel's key order; `key` is the key's reference (a fingerprint), never the key. */
  keys: (HealthView & { key: string })[];
}

export interface ChannelTestRequest {
  id: string;
  /** Which model to ask (default: the channel's first). */
  model?: string;
}
export interface ChannelTestReply {
  channel_id: string;
  model: string;
  results: { key: string; ok: boolean; latency_ms: number; answer: string | null; error: WireError | null }[];
}
