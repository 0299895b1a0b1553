/**
 * Published on JetStream for an upstream attempt that produced output (or completed); `eventId` is the dedupe key
 * end to end. Such an attempt always ends its request (no fallback after output), so settling it also releases
 * the request's hold.
 */
export interface UsageRecordedEvent {
  eventId: string;
  requestId: string;
  attemptNo: number;
  accountId: string;
  keyId: string;
  model: string;
  channelId: string;
  provider: string;
  upstreamModel: string;
  promptTokens: number;
  completionTokens: number;
  cachedTokens: number;
  reasoningTokens: number;
  usageSource: 'upstream' | 'estimated';
  outcome: 'ok' | 'error' | 'cancelled';
  /** `auto` requests only: the classifier's task category (InvokeRequest.category), kept on the ledger entry. */
  category?: string;
  /** Price per token quoted at the start of the request (nano-USD, decimal strings). */
  inputNanoPerToken: string;
  outputNanoPerToken: string;
  cachedInputNanoPerToken?: string;
  /**
   * Priced apart where the upstream reports them (absent = 0): prompt tokens written to the provider's cache (all
   * lifetimes; `cacheWrite1hTokens` of them for an hour), and audio tokens in and out. Each is part of
   * `promptTokens` / `completionTokens`; the quote's matching price (carried below) bills them.
   */
  cacheWriteTokens?: number;
  cacheWrite1hTokens?: number;
  audioPromptTokens?: number;
  audioCompletionTokens?: number;
  cacheWriteNanoPerToken?: string;
  cacheWrite1hNanoPerToken?: string;
  audioInputNanoPerToken?: string;
  audioOutputNanoPerToken?: string;

  ttftMs: number | null;
  durationMs: number;
  occurredAt: string;
  /**
   * The attempt's W3C trace context (tracing on only): the publish's span is its child whenever the event is sent, a
   * replay from the adapter's spool too, so settlement joins the request's trace (docs/decisions/0019).
   */
  traceparent?: string;
}
