import { Injectable, type OnModuleInit } from '@nestjs/common';
import { nanoToUsd, type RequestLoggedEvent } from '@tokenflow/contracts';
import { createLogger, type Logger } from '@tokenflow/observability';
import { RequestEnd } from './request-end';

/** The fields of an API request's log line: who (by ids, never the key), what, how it went, and what it cost. */
export function requestLogFields(s: RequestLoggedEvent): Record<string, unknown> {
  return {
    requestId: s.id,
    traceId: s.traceId,
    keyId: s.keyId,
    accountId: s.accountId,
    method: s.method,
    path: s.path,
    endpoint: s.endpoint,
    model: s.servedModel ?? s.requestedModel,
    requestedModel: s.requestedModel,
    servedModel: s.servedModel,
    provider: s.provider,
    channelId: s.channelId,
    attempts: s.attempts,
    stream: s.stream,
    status: s.status,
    errorCode: s.errorCode,
    latencyMs: s.latencyMs,
    ttftMs: s.ttftMs,
    tokens: { input: s.inputTokens, output: s.outputTokens, reasoning: s.reasoningTokens, cached: s.cachedTokens },
    costUsd: s.costNano === null ? null : nanoToUsd(BigInt(s.costNano)),
  };
}

/**
 * One info line per finished `/v1` request, answered or refused; probes, scrapes and the admin API are not API
 * traffic (the request log's admin view covers the latter). It follows LOG_LEVEL like every logger, and content
 * never appears in it.
 */
export function writeRequestLine(log: Logger, s: RequestLoggedEvent): void {
  if (!s.path.startsWith('/v1/') || !log.isLevelEnabled('info')) return;
  log.info(requestLogFields(s), 'request');
}

/** Writes `writeRequestLine` from `RequestEnd`, once the response is over (off the hot path). */
@Injectable()
export class RequestLogLine implements OnModuleInit {
  private readonly log = createLogger('ingress.request');

  constructor(private readonly end: RequestEnd) {}

  onModuleInit(): void {
    this.end.on(({ summary }) => writeRequestLine(this.log, summary));
  }
}
