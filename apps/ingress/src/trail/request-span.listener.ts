import { Injectable, type OnModuleInit } from '@nestjs/common';
import { type Attributes, SpanKind, SpanStatusCode } from '@opentelemetry/api';
import { Headers } from '@tokenflow/contracts';
import { contextFromTraceparent, type Span, traceparentOf, tracer, tracingOn } from '@tokenflow/observability';
import type { FastifyRequest } from 'fastify';
import { type FinishedRequest, RequestEnd } from './request-end';

/** Our endpoints as OpenTelemetry GenAI operation names. */
const OPERATIONS: Record<string, string> = { chat: 'chat', completions: 'text_completion', embeddings: 'embeddings' };

/** Probes and scrapes: frequent, and nothing to trace. */
const UNTRACED = new Set(['/healthz', '/readyz', '/metrics']);

/** Each traced request's root span, until its RequestEnd. */
const spans = new WeakMap<FastifyRequest, Span>();

/** The root span of `req` (tracing on and the request traced), else undefined. */
export function requestSpan(req: FastifyRequest): Span | undefined {
  return spans.get(req);
}

/**
 * The root of every API request's trace (tracing on only, docs/decisions/0019): a SERVER span opened by an
 * `onRequest` hook — continuing the caller's `traceparent` when it is valid — whose context every NATS hop of the
 * request carries (`callContext`), and ended from `RequestEnd` with the request's summary as OpenTelemetry HTTP and
 * GenAI attributes plus ours (cost, route, attempts, channel). No prompt, completion or key is ever an attribute.
 */
@Injectable()
export class RequestSpans implements OnModuleInit {
  constructor(private readonly end: RequestEnd) {}

  get enabled(): boolean {
    return tracingOn();
  }

  onModuleInit(): void {
    if (this.enabled) this.end.on((done) => this.finish(done));
  }

  /** The `onRequest` hook: opens the request's span (after the trail exists, before auth so refusals are traced). */
  readonly onRequest = async (req: FastifyRequest): Promise<void> => {
    const path = req.url.split('?', 1)[0];
    if (UNTRACED.has(path)) return;
    const route = req.routeOptions.url;
    const parent = contextFromTraceparent(req.headers[Headers.traceparent] as string | undefined);
    const span = tracer().startSpan(
      route ? `${req.method} ${route}` : req.method,
      {
        kind: SpanKind.SERVER,
        attributes: {
          'http.request.method': req.method,
          ...(route ? { 'http.route': route } : {}),
          'url.path': path,
          'url.scheme': req.protocol,
          'tokenflow.request_id': req.id,
        },
      },
      parent,
    );
    spans.set(req, span);
    // The request log's trace id is this trace's, refused requests' too.
    if (req.trail) req.trail.traceparent = traceparentOf(span);
  };

  private finish({ summary: s, req, reply }: FinishedRequest): void {
    const span = spans.get(req);
    if (!span) return;
    spans.delete(req);
    const attributes: Attributes = {
      'http.response.status_code': s.status,
      'tokenflow.attempts': s.attempts,
      'tokenflow.latency_ms': s.latencyMs,
      'tokenflow.stream': s.stream,
    };
    const operation = s.endpoint ? OPERATIONS[s.endpoint] : undefined;
    if (operation) attributes['gen_ai.operation.name'] = operation;
    if (s.requestedModel) attributes['gen_ai.request.model'] = s.requestedModel;
    if (s.servedModel) attributes['gen_ai.response.model'] = s.servedModel;
    if (s.provider) attributes['gen_ai.provider.name'] = s.provider;
    if (s.inputTokens !== null) attributes['gen_ai.usage.input_tokens'] = s.inputTokens;
    if (s.outputTokens !== null) attributes['gen_ai.usage.output_tokens'] = s.outputTokens;
    if (s.costNano !== null) attributes['tokenflow.cost_usd'] = Number(s.costNano) / 1e9;
    if (s.route) attributes['tokenflow.route'] = s.route;
    if (s.category) attributes['tokenflow.category'] = s.category;
    if (s.channelId) attributes['tokenflow.channel_id'] = s.channelId;
    if (s.ttftMs !== null) attributes['tokenflow.ttft_ms'] = s.ttftMs;
    if (s.keyId) attributes['tokenflow.key_id'] = s.keyId;
    Object.assign(attributes, samplingParameters(req.body));
    span.setAttributes(attributes);
    if (s.errorCode) {
      span.setAttribute('error.type', s.errorCode);
      // A server span is an error for 5xx only; a 4xx is the caller's fault (OpenTelemetry HTTP conventions).
      if (reply.statusCode >= 500 || s.status >= 500) span.setStatus({ code: SpanStatusCode.ERROR, message: s.errorCode });
    }
    span.end();
  }
}

/** `max_tokens` and `temperature` as asked (both APIs name them so), when the body is a parsed object. */
function samplingParameters(body: unknown): Attributes {
  if (typeof body !== 'object' || body === null) return {};
  const b = body as Record<string, unknown>;
  const out: Attributes = {};
  const maxTokens = b.max_completion_tokens ?? b.max_tokens;
  if (typeof maxTokens === 'number') out['gen_ai.request.max_tokens'] = maxTokens;
  if (typeof b.temperature === 'number') out['gen_ai.request.temperature'] = b.temperature;
  return out;
}
