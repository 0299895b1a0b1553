import type { UsageRecordedEvent } from '@tokenflow/contracts';

/**
 * A successful upstream attempt's usage event for `requestId` (event id `<requestId>:1`), priced at 1 nano-USD per
 * token; a test overrides what it is about.
 */
export function usageEvent(requestId: string, over: Partial<UsageRecordedEvent> = {}): UsageRecordedEvent {
  return {
    eventId: `${requestId}:1`,
    requestId,
    attemptNo: 1,
    accountId: '00000000-0000-4000-8000-000000000000',
    keyId: '00000000-0000-4000-8000-000000000001',
    model: 'm',
    channelId: 'c',
    provider: 'openai',
    upstreamModel: 'm',
    promptTokens: 10,
    completionTokens: 0,
    cachedTokens: 0,
    reasoningTokens: 0,
    usageSource: 'upstream',
    outcome: 'ok',
    inputNanoPerToken: '1',
    outputNanoPerToken: '1',
    ttftMs: 1,
    durationMs: 2,
    occurredAt: new Date().toISOString(),
    ...over,
  };
}
