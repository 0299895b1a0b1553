import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { context, SpanKind, trace } from '@opentelemetry/api';
import { memoryTracing } from './tracing-testing';
import { activeTraceparent, contextFromTraceparent, failSpan, inSpan, startTracing, traceparentOf, tracer, tracingDecision, tracingOn } from './tracing';

const REMOTE = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';

describe('tracing: on or off from the standard OTEL_* variables', () => {
  it('is off by default', () => {
    assert.deepEqual(tracingDecision({}), { on: false, reason: 'no OTEL_TRACES_EXPORTER or OTLP endpoint set' });
    // Unrelated or blank OTEL variables do not turn it on.
    assert.equal(tracingDecision({ OTEL_SERVICE_NAME: 'x', OTEL_EXPORTER_OTLP_ENDPOINT: '  ', OTEL_TRACES_SAMPLER: 'always_on' }).on, false);
  });

  it('is on for an otlp or console exporter, or an OTLP endpoint', () => {
    assert.equal(tracingDecision({ OTEL_TRACES_EXPORTER: 'otlp' }).on, true);
    assert.equal(tracingDecision({ OTEL_TRACES_EXPORTER: ' Console ' }).on, true);
    assert.equal(tracingDecision({ OTEL_TRACES_EXPORTER: 'otlp,console' }).on, true);
    assert.equal(tracingDecision({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318' }).on, true);
    assert.equal(tracingDecision({ OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'http://collector:4318/v1/traces' }).on, true);
  });

  it('is off for none, for an exporter it does not support, and whenever OTEL_SDK_DISABLED=true', () => {
    assert.equal(tracingDecision({ OTEL_TRACES_EXPORTER: 'none', OTEL_EXPORTER_OTLP_ENDPOINT: 'http://c:4318' }).on, false);
    assert.equal(tracingDecision({ OTEL_TRACES_EXPORTER: 'otlp,none' }).on, false);
    const unsupported = tracingDecision({ OTEL_TRACES_EXPORTER: 'jaeger' });
    assert.equal(unsupported.on, false);
    assert.match(unsupported.reason, /jaeger is not supported/);
    assert.deepEqual(tracingDecision({ OTEL_SDK_DISABLED: 'TRUE', OTEL_TRACES_EXPORTER: 'otlp' }), { on: false, reason: 'OTEL_SDK_DISABLED=true' });
    assert.equal(tracingDecision({ OTEL_SDK_DISABLED: 'false', OTEL_TRACES_EXPORTER: 'otlp' }).on, true);
  });

  it('startTracing without the variables starts nothing: the API stays a no-op', () => {
    const decision = startTracing('test', {});
    assert.equal(decision.on, false);
    assert.equal(tracingOn(), false);
    assert.equal(activeTraceparent(), undefined);
    const span = tracer().startSpan('nothing');
    assert.equal(span.isRecording(), false);
    span.end();
  });
});

describe('tracing helpers', () => {
  it('continues a remote traceparent, formats spans back, and ignores a malformed one', async () => {
    const mem = memoryTracing();
    try {
      const parent = contextFromTraceparent(REMOTE);
      const span = tracer().startSpan('child', { kind: SpanKind.SERVER }, parent);
      const tp = traceparentOf(span);
      assert.match(tp, /^00-4bf92f3577b34da6a3ce929d0e0e4736-[0-9a-f]{16}-01$/);
      assert.notEqual(tp, REMOTE);
      span.end();
      const [done] = mem.spans();
      assert.equal(done.parentSpanContext?.spanId, '00f067aa0ba902b7');
      // Not a valid traceparent: the base context, unchanged.
      assert.equal(trace.getSpan(contextFromTraceparent('garbage')), undefined);
      assert.equal(trace.getSpan(contextFromTraceparent('00-00000000000000000000000000000000-00f067aa0ba902b7-01')), undefined);
    } finally {
      await mem.stop();
    }
  });

  it('inSpan makes the span current for the work it runs and ends it with its outcome', async () => {
    const mem = memoryTracing();
    try {
      const outer = tracer().startSpan('outer', {}, contextFromTraceparent(REMOTE));
      let seen: string | undefined;
      await inSpan(outer, async () => {
        await new Promise((r) => setImmediate(r));
        seen = activeTraceparent();
      });
      assert.equal(seen, traceparentOf(outer));
      const failing = tracer().startSpan('failing');
      await assert.rejects(inSpan(failing, async () => Promise.reject(Object.assign(new Error('no'), { code: 'upstream_error' }))));
      const judged = tracer().startSpan('judged');
      await inSpan(judged, async () => ({ bad: true }), (r) => (r.bad ? { code: 'rate_limit_exceeded' } : null));
      const byName = new Map(mem.spans().map((s) => [s.name, s]));
      assert.equal(byName.get('outer')?.status.code, 0);
      assert.equal(byName.get('failing')?.attributes['error.type'], 'upstream_error');
      assert.equal(byName.get('failing')?.status.code, 2);
      assert.equal(byName.get('judged')?.attributes['error.type'], 'rate_limit_exceeded');
      // Outside any span: nothing active.
      assert.equal(trace.getSpan(context.active()), undefined);
    } finally {
      await mem.stop();
    }
  });

  it('failSpan names the error by its code or class, never by its message', async () => {
    const mem = memoryTracing();
    try {
      const span = tracer().startSpan('s');
      failSpan(span, new TypeError('sk-secret-in-a-message'));
      span.end();
      const [done] = mem.spans();
      assert.equal(done.attributes['error.type'], 'TypeError');
      assert.ok(!JSON.stringify(done.attributes).includes('sk-secret'));
      assert.ok(!(done.status.message ?? '').includes('sk-secret'));
    } finally {
      await mem.stop();
    }
  });
});
