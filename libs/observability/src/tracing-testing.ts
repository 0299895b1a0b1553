import { context, trace } from '@opentelemetry/api';
import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { setTracingForTests } from './tracing';

/** Spans kept in memory, for tests of code that makes spans (no NodeSDK, no exporter over the network). */
export interface MemoryTracing {
  /** The spans ended so far. */
  spans(): ReadableSpan[];
  reset(): void;
  /** Tracing off again, the global provider and context manager removed. */
  stop(): Promise<void>;
}

/**
 * Turns tracing on in this process with an in-memory exporter and the async-hooks context manager the NodeSDK uses.
 * Test-only: the SDK packages are loaded here, on call, never by a service.
 */
export function memoryTracing(): MemoryTracing {
  /* eslint-disable @typescript-eslint/no-require-imports */
  const base = require('@opentelemetry/sdk-trace-base') as typeof import('@opentelemetry/sdk-trace-base');
  const hooks = require('@opentelemetry/context-async-hooks') as typeof import('@opentelemetry/context-async-hooks');
  /* eslint-enable @typescript-eslint/no-require-imports */
  const exporter = new base.InMemorySpanExporter();
  const provider = new base.BasicTracerProvider({ spanProcessors: [new base.SimpleSpanProcessor(exporter)] });
  const manager = new hooks.AsyncLocalStorageContextManager().enable();
  context.setGlobalContextManager(manager);
  trace.setGlobalTracerProvider(provider);
  setTracingForTests(true);
  return {
    spans: () => exporter.getFinishedSpans(),
    reset: () => exporter.reset(),
    stop: async () => {
      setTracingForTests(false);
      await provider.shutdown();
      trace.disable();
      context.disable();
    },
  };
}
