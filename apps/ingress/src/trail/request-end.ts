import { Injectable } from '@nestjs/common';
import type { RequestLoggedEvent } from '@tokenflow/contracts';
import { createLogger, throttledLog } from '@tokenflow/observability';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { RequestTrail } from './request-trail';

declare module 'fastify' {
  interface FastifyRequest {
    /** What the request did so far (see `RequestTrail`); set by the first `onRequest` hook. */
    trail: RequestTrail;
  }
}

/** A finished request: its summary (the request log's record, without content) and what it was made from. */
export interface FinishedRequest {
  summary: RequestLoggedEvent;
  trail: RequestTrail;
  req: FastifyRequest;
  reply: FastifyReply;
}

export type RequestEndListener = (done: FinishedRequest) => void;

const log = createLogger('ingress.request-end');
const MAX_PATH = 256;
const listenerFailed = throttledLog(10_000);

/**
 * The one place a finished request is told about: every listener (metrics, the log line, the trace, the request
 * log) reads the same summary, built once in Fastify's `onResponse` (streams included: it fires when the socket
 * finishes or closes). Listeners run synchronously and must not do I/O inline; one that throws is logged and the
 * others still run.
 */
@Injectable()
export class RequestEnd {
  private readonly listeners: RequestEndListener[] = [];

  on(listener: RequestEndListener): void {
    this.listeners.push(listener);
  }

  /**
   * Once per request: from `onResponse` when the response finished, or when the client closed the connection first
   * (`clientClosed`: status 499 and `client_closed` unless an error was already told).
   */
  finish(req: FastifyRequest, reply: FastifyReply, clientClosed = false): void {
    // Refused before the first hook ran (Fastify's own early errors): an empty trail still tells status and time.
    const trail = req.trail ?? new RequestTrail();
    if (trail.ended || !this.listeners.length) return;
    trail.ended = true;
    const done: FinishedRequest = { summary: summarize(req, reply, trail, clientClosed), trail, req, reply };
    for (const listener of this.listeners) {
      try {
        listener(done);
      } catch (err) {
        listenerFailed((suppressed) => log.error({ err, requestId: req.id, suppressed }, 'request-end listener failed'));
      }
    }
  }
}

/** nginx's convention for a request whose client closed the connection before the answer was complete. */
const CLIENT_CLOSED_STATUS = 499;

function summarize(req: FastifyRequest, reply: FastifyReply, t: RequestTrail, clientClosed: boolean): RequestLoggedEvent {
  const status = clientClosed ? CLIENT_CLOSED_STATUS : reply.statusCode;
  const usage = t.usage;
  return {
    id: req.id,
    at: new Date(t.startedAt).toISOString(),
    accountId: req.principal?.accountId ?? null,
    keyId: req.principal?.keyId ?? null,
    method: req.method,
    // An unmatched path is the caller's text: kept short.
    path: req.routeOptions.url ?? req.url.split('?', 1)[0].slice(0, MAX_PATH),
    endpoint: t.endpoint,
    requestedModel: t.requestedModel,
    servedModel: t.servedModel,
    provider: t.provider,
    channelId: t.channelId,
    route: t.route,
    category: t.category,
    attempts: t.attempts,
    stream: t.stream,
    status,
    errorCode: t.error?.code ?? (clientClosed ? 'client_closed' : status >= 400 ? 'http_' + status : null),
    latencyMs: Math.round(t.elapsedMs() * 100) / 100,
    ttftMs: t.ttftMs === null ? null : Math.round(t.ttftMs * 100) / 100,
    inputTokens: usage?.prompt_tokens ?? null,
    outputTokens: usage?.completion_tokens ?? null,
    reasoningTokens: usage?.completion_tokens_details?.reasoning_tokens ?? null,
    cachedTokens: usage?.prompt_tokens_details?.cached_tokens ?? null,
    costNano: t.costNano === null ? null : t.costNano.toString(),
    traceId: t.traceparent?.split('-')[1] ?? null,
  };
}
