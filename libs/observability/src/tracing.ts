import {
  type Attributes,
  type Context,
  context,
  type ProxyTracerProvider,
  ROOT_CONTEXT,
  type Span,
  SpanStatusCode,
  trace,
  TraceFlags,
  type Tracer,
} from '@opentelemetry/api';
import type { NodeSDK } from '@opentelemetry/sdk-node';
import { createLogger } from './logger';
import { parseTraceparent } from './trace-context';

/**
 * OpenTelemetry tracing, OFF unless the standard variables ask for it (docs/decisions/0019): the spans are manual
 * (NATS hops, the HTTP request, upstream calls, settlement), exported by the SDK as the `OTEL_*` variables say. While
 * off, nothing of the SDK is even loaded and every helper below returns before touching the API: the hot path pays
 * one boolean test.
 */

/** Whether tracing runs, and why (logged once at boot). */
export type TracingDecision = { on: true; reason: string } | { on: false; reason: string };

/** The exporters we turn tracing on for (NodeSDK builds them from OTEL_TRACES_EXPORTER). */
const EXPORTERS = new Set(['otlp', 'console']);

/**
 * The standard variables' verdict: `OTEL_SDK_DISABLED=true` wins; `OTEL_TRACES_EXPORTER=none` is off; otlp or console
 * there is on; otherwise an OTLP endpoint (`OTEL_EXPORTER_OTLP_ENDPOINT`, `OTEL_EXPORTER_OTLP_TRACES_ENDPOINT`) turns
 * it on with the OTLP exporter. Nothing set: off.
 */
export function tracingDecision(env: NodeJS.ProcessEnv = process.env): TracingDecision {
  if (env.OTEL_SDK_DISABLED?.trim().toLowerCase() === 'true') return { on: false, reason: 'OTEL_SDK_DISABLED=true' };
  const exporters = (env.OTEL_TRACES_EXPORTER ?? '')
    .split(',')
    .map((s) => s.trim().toLowerCase())
    .filter(Boolean);
  if (exporters.includes('none')) return { on: false, reason: 'OTEL_TRACES_EXPORTER=none' };
  const known = exporters.filter((e) => EXPORTERS.has(e));
  if (known.length) return { on: true, reason: `OTEL_TRACES_EXPORTER=${known.join(',')}` };
  if (exporters.length) return { on: false, reason: `OTEL_TRACES_EXPORTER=${exporters.join(',')} is not supported (otlp, console, none)` };
  for (const name of ['OTEL_EXPORTER_OTLP_TRACES_ENDPOINT', 'OTEL_EXPORTER_OTLP_ENDPOINT'] as const) {
    if (env[name]?.trim()) return { on: true, reason: `${name} is set` };
  }
  return { on: false, reason: 'no OTEL_TRACES_EXPORTER or OTLP endpoint set' };
}

let sdk: NodeSDK | null = null;
let on = false;
let tracerRef: Tracer = trace.getTracer('tokenflow');

/**
 * Called first thing in every service's main.ts, before the app is created. When the variables turn tracing on, it
 * starts the NodeSDK (no auto-instrumentation: the NestJS one does not cover Nest 12, and our hops are NATS) with its
 * traces from the environment — OTLP exporter and protocol, sampler (`OTEL_TRACES_SAMPLER`), batch settings
 * (`OTEL_BSP_*`), resource (`OTEL_RESOURCE_ATTRIBUTES`; `service.name` from `OTEL_SERVICE_NAME`, else `service`) — and
 * nothing else: no metrics (prom-client has them) and no logs (pino). Idempotent.
 */
export function startTracing(service: string, env: NodeJS.ProcessEnv = process.env): TracingDecision {
  const decision = tracingDecision(env);
  if (!decision.on || sdk) return decision;
  // Loaded only when on: the SDK and its exporters cost boot time and memory a service without tracing need not pay.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { NodeSDK: Sdk } = require('@opentelemetry/sdk-node') as typeof import('@opentelemetry/sdk-node');
  sdk = new Sdk({
    ...(env.OTEL_SERVICE_NAME?.trim() ? {} : { serviceName: service }),
    instrumentations: [],
    metricReaders: [],
    logRecordProcessors: [],
  });
  sdk.start();
  on = true;
  tracerRef = trace.getTracer('tokenflow');
  process.once('beforeExit', () => void flushTracing());
  createLogger(service).info({ reason: decision.reason }, 'tracing on: spans are exported as the OTEL_* variables say');
  return decision;
}

/** Whether spans are being made (the hot path's one test). */
export function tracingOn(): boolean {
  return on;
}

export function tracer(): Tracer {
  return tracerRef;
}

/**
 * Exports what the batch processor holds, bounded so a collector that is down cannot stall a shutdown: the services'
 * close paths call it once their last spans ended (libs/messaging's lifecycle, after the bus drained).
 */
export async function flushTracing(timeoutMs = 3_000): Promise<void> {
  if (!on) return;
  const provider = (trace.getTracerProvider() as ProxyTracerProvider).getDelegate?.() as { forceFlush?: () => Promise<void> } | undefined;
  if (!provider?.forceFlush) return;
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([provider.forceFlush().catch(() => undefined), new Promise((r) => (timer = setTimeout(r, timeoutMs).unref()))]);
  clearTimeout(timer);
}

/** Flushes and stops the SDK (tests; a process that ends tracing for good). */
export async function shutdownTracing(timeoutMs = 3_000): Promise<void> {
  const current = sdk;
  if (!current) return;
  await flushTracing(timeoutMs);
  sdk = null;
  on = false;
  tracerRef = trace.getTracer('tokenflow');
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([current.shutdown().catch(() => undefined), new Promise((r) => (timer = setTimeout(r, timeoutMs).unref()))]);
  clearTimeout(timer);
}

/**
 * For tests that bring their own provider (an in-memory exporter): marks tracing on or off without the NodeSDK. The
 * provider must already be registered globally (`trace.setGlobalTracerProvider`) with a context manager.
 */
export function setTracingForTests(enabled: boolean): void {
  on = enabled;
  tracerRef = trace.getTracer('tokenflow');
}

/** A context whose parent is the remote span `traceparent` names (on `base`), or `base` itself if it is not valid. */
export function contextFromTraceparent(traceparent: string | null | undefined, base: Context = ROOT_CONTEXT): Context {
  const parsed = parseTraceparent(traceparent);
  if (!parsed) return base;
  return trace.setSpanContext(base, {
    traceId: parsed.traceId,
    spanId: parsed.spanId,
    traceFlags: parseInt(parsed.flags, 16) & TraceFlags.SAMPLED,
    isRemote: true,
  });
}

/**
 * The parent for a new span: the explicit `traceparent` a CallContext carries when it has one (it names the span
 * the caller's work runs under), else whatever span is active in this async context.
 */
export function parentContext(traceparent: string | null | undefined): Context {
  return traceparent ? contextFromTraceparent(traceparent, context.active()) : context.active();
}

/** `span` as a W3C `traceparent` header value. */
export function traceparentOf(span: Span): string {
  const sc = span.spanContext();
  return `00-${sc.traceId}-${sc.spanId}-${sc.traceFlags & TraceFlags.SAMPLED ? '01' : '00'}`;
}

/** The active span's `traceparent` (tracing on and a span active), else undefined. */
export function activeTraceparent(): string | undefined {
  if (!on) return undefined;
  const span = trace.getSpan(context.active());
  return span ? traceparentOf(span) : undefined;
}

/** Marks `span` failed: `error.type` (our error code, else the error's class) and an ERROR status. Never the message's data. */
export function failSpan(span: Span, err: unknown): void {
  const code = (err as { code?: unknown })?.code;
  const type = typeof code === 'string' ? code : ((err as Error)?.name ?? 'error');
  span.setAttribute('error.type', type);
  span.setStatus({ code: SpanStatusCode.ERROR, message: type });
}

/** Runs `fn` in a span made current (its children see it as their parent), ending it with `fn`'s outcome. */
export async function inSpan<T>(span: Span, fn: () => Promise<T>, failed: (result: T) => unknown = () => undefined): Promise<T> {
  try {
    const result = await context.with(trace.setSpan(context.active(), span), fn);
    const err = failed(result);
    if (err) failSpan(span, err);
    return result;
  } catch (err) {
    failSpan(span, err);
    throw err;
  } finally {
    span.end();
  }
}

export type { Attributes, Span };
