import { type Attributes, type Context, context, ROOT_CONTEXT, type Span, SpanKind, trace } from '@opentelemetry/api';
import { contextFromTraceparent, failSpan, inSpan, parseTraceparent, traceparentOf, tracer, tracingOn } from '@tokenflow/observability';
import type { CallContext } from './call-context';

/**
 * The spans of a NATS hop (docs/decisions/0019): a CLIENT span per request and a SERVER span around its handler, a
 * PRODUCER span per JetStream publish and a CONSUMER span per delivered event, linked through the `traceparent`
 * header. Callers test `tracingOn()` first: while tracing is off none of this runs.
 */

/** What every messaging span says about its hop (OpenTelemetry messaging conventions). No payload, ever. */
export function messagingAttributes(subject: string, operation: 'send' | 'process' | 'receive', name: string, extra?: Attributes): Attributes {
  return {
    'messaging.system': 'nats',
    'messaging.destination.name': subject,
    'messaging.operation.type': operation,
    'messaging.operation.name': name,
    ...extra,
  };
}

/**
 * A CLIENT span for one request on `subject`, child of the context's `traceparent` (else the active span), and the
 * context to send with it: its `traceparent` names this span, so the server's span is its child.
 */
export function startClientSpan(subject: string, ctx: CallContext | undefined, bytes: number): { span: Span; ctx: CallContext } | null {
  const parent = tracedParent(ctx?.traceparent);
  if (!parent) return null;
  const span = tracer().startSpan(
    `request ${subject}`,
    { kind: SpanKind.CLIENT, attributes: messagingAttributes(subject, 'send', 'request', requestAttributes(ctx, bytes)) },
    parent,
  );
  return { span, ctx: { ...ctx, traceparent: traceparentOf(span) } };
}

/**
 * The parent of a hop's span: the explicit `traceparent` (else the active span). Null when there is neither: only
 * work done for a traced request (or a caller that sent a traceparent) makes spans; background polls and jobs (price
 * reloads, lag scrapes, hold expiry) would otherwise each start a trace of their own.
 */
function tracedParent(traceparent: string | undefined): Context | null {
  if (traceparent && parseTraceparent(traceparent)) return contextFromTraceparent(traceparent, context.active());
  const active = context.active();
  return trace.getSpan(active) ? active : null;
}

/**
 * Runs a request handler in a SERVER span, child of the sender's `traceparent`; the handler's context carries this
 * span's traceparent instead, so the hops it makes with it are this span's children (and so is everything it starts
 * in this async context). `failed` tells a result that is an error reply.
 */
export function withServerSpan<T>(subject: string, ctx: CallContext, run: (ctx: CallContext) => Promise<T>, failed?: (result: T) => unknown): Promise<T> {
  if (!tracingOn() || !parseTraceparent(ctx.traceparent)) return run(ctx);
  const span = tracer().startSpan(
    `process ${subject}`,
    { kind: SpanKind.SERVER, attributes: messagingAttributes(subject, 'process', 'process', requestAttributes(ctx)) },
    contextFromTraceparent(ctx.traceparent, ROOT_CONTEXT),
  );
  const inner: CallContext = { ...ctx, traceparent: traceparentOf(span) };
  return inSpan(span, () => run(inner), failed);
}

/** A PRODUCER span for one JetStream publish, child of `traceparent` (else the active span). */
export function startProducerSpan(subject: string, traceparent: string | undefined, msgId: string): Span | null {
  const parent = tracedParent(traceparent);
  if (!parent) return null;
  return tracer().startSpan(
    `publish ${subject}`,
    { kind: SpanKind.PRODUCER, attributes: messagingAttributes(subject, 'send', 'publish', { 'messaging.message.id': msgId }) },
    parent,
  );
}

/** A delivered durable event, as far as its span needs it. */
export interface TracedDelivery {
  subject: string;
  traceparent: string | undefined;
  msgId: string | undefined;
  deliveries: number;
}

/**
 * Runs a consumer's handler over a batch with one CONSUMER span per event, each the child of the PRODUCER span that
 * published it (its `traceparent` header), so the settlement of a request shows in that request's trace. A batch of
 * one runs inside its span; a larger batch runs detached (its spans still end with its outcome).
 */
export async function withConsumerSpans<T>(durable: string, deliveries: () => TracedDelivery[], run: () => Promise<T>): Promise<T> {
  if (!tracingOn()) return run();
  const batch = deliveries();
  // Events published outside any trace (background jobs) get no span.
  const traced = batch.filter((d) => parseTraceparent(d.traceparent));
  if (!traced.length) return run();
  const spans = traced.map((d) =>
    tracer().startSpan(
      `process ${d.subject}`,
      {
        kind: SpanKind.CONSUMER,
        attributes: messagingAttributes(d.subject, 'process', 'process', {
          'messaging.consumer.group.name': durable,
          'messaging.batch.message_count': batch.length,
          ...(d.msgId ? { 'messaging.message.id': d.msgId } : {}),
          ...(d.deliveries > 1 ? { 'messaging.nats.delivery_count': d.deliveries } : {}),
        }),
      },
      contextFromTraceparent(d.traceparent, ROOT_CONTEXT),
    ),
  );
  const active = spans.length === 1 ? trace.setSpan(ROOT_CONTEXT, spans[0]) : ROOT_CONTEXT;
  try {
    return await context.with(active, run);
  } catch (err) {
    for (const span of spans) failSpan(span, err);
    throw err;
  } finally {
    for (const span of spans) span.end();
  }
}

function requestAttributes(ctx: CallContext | undefined, bytes?: number): Attributes {
  const out: Attributes = {};
  if (bytes !== undefined) out['messaging.message.body.size'] = bytes;
  if (ctx?.requestId) out['tokenflow.request_id'] = ctx.requestId;
  return out;
}
