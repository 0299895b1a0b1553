/** Published once per upstream attempt on JetStream; `eventId` is the dedupe key end to end. */
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
  ttftMs: number | null;
  durationMs: number;
  occurredAt: string;
}

export const USAGE_STREAM = 'TF_USAGE';
