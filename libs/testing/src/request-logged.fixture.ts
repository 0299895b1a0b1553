import type { RequestLoggedEvent } from '@tokenflow/contracts';

/** A finished, answered streaming request as ingress reports it (`RequestEnd`); a test overrides what it is about. */
export function requestLogged(over: Partial<RequestLoggedEvent> = {}): RequestLoggedEvent {
  return {
    id: 'req_1',
    at: new Date().toISOString(),
    accountId: 'acct_1',
    keyId: 'key_1',
    method: 'POST',
    path: '/v1/chat/completions',
    endpoint: 'chat',
    requestedModel: 'auto',
    servedModel: 'deepseek-v3',
    provider: 'deepseek',
    channelId: 'ch_1',
    route: null,
    category: null,
    attempts: 1,
    stream: true,
    status: 200,
    errorCode: null,
    latencyMs: 1500,
    ttftMs: 250,
    inputTokens: 12,
    outputTokens: 30,
    reasoningTokens: null,
    cachedTokens: null,
    costNano: '10080',
    traceId: '0af7651916cd43dd8448eb211c80319c',
    ...over,
  };
}
