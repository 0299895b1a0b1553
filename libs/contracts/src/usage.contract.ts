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

  ttftMs: number | null;
  durationMs: number;
  occurredAt: string;
}
