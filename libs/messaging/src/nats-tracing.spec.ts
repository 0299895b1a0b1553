import { strict as assert } from 'node:assert';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { SpanKind } from '@opentelemetry/api';
import { activeTraceparent, type MemoryTracing, memoryTracing, parseTraceparent } from '@tokenflow/observability';
import { fromNatsHeaders, toNatsHeaders } from './call-context';
import { startClientSpan, startProducerSpan, withConsumerSpans, withServerSpan } from './nats-tracing';

const CALLER = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';
const TRACE = '4bf92f3577b34da6a3ce929d0e0e4736';

const spanIdOf = (tp: string | undefined) => parseTraceparent(tp)?.spanId;

describe('NATS trace propagation (tracing off)', () => {
  it('changes nothing: the handler gets the sender context, no span, the header travels as given', async () => {
    const h = toNatsHeaders({ requestId: 'req_1', traceparent: CALLER });
    const ctx = fromNatsHeaders(h);
    assert.deepEqual(ctx, { requestId: 'req_1', traceparent: CALLER });
    let seen: unknown;
    await withServerSpan('tf.router.plan.v1', ctx, async (inner) => {
      seen = inner;
      assert.equal(activeTraceparent(), undefined);
    });
    assert.equal(seen, ctx);
    assert.equal(await withConsumerSpans('d', () => assert.fail('not read while off'), async () => 7), 7);
  });
});

describe('NATS trace propagation (tracing on, in-memory exporter)', () => {
  let mem: MemoryTracing;
  beforeEach(() => {
    mem = memoryTracing();
  });
  afterEach(() => mem.stop());

  it('a request is a CLIENT span under the caller, its handler a SERVER span under that, and hops from the handler nest under it', async () => {
    const client = startClientSpan('tf.router.plan.v1', { requestId: 'req_1', traceparent: CALLER }, 120);
    assert.ok(client);
    // What crosses the wire: the CLIENT span's context, in the traceparent header.
    const received = fromNatsHeaders(toNatsHeaders(client.ctx));
    assert.equal(received.traceparent, client.ctx.traceparent);
    let handlerCtx: string | undefined;
    let active: string | undefined;
    let nested: ReturnType<typeof startClientSpan> = null;
    await withServerSpan('tf.router.plan.v1', received, async (inner) => {
      handlerCtx = inner.traceparent;
      await new Promise((r) => setImmediate(r));
      active = activeTraceparent();
      // The handler calls another service with the context it was given.
      nested = startClientSpan('tf.billing.auth.v1', inner, 10);
      nested?.span.end();
    });
    client.span.end();

    const spans = mem.spans();
    const byName = new Map(spans.map((s) => [s.name, s]));
    const c = byName.get('request tf.router.plan.v1');
    const s = byName.get('process tf.router.plan.v1');
    const n = byName.get('request tf.billing.auth.v1');
    assert.ok(c && s && n);
    for (const span of [c, s, n]) assert.equal(span.spanContext().traceId, TRACE);
    assert.equal(c.kind, SpanKind.CLIENT);
    assert.equal(c.parentSpanContext?.spanId, '00f067aa0ba902b7');
    assert.equal(s.kind, SpanKind.SERVER);
    assert.equal(s.parentSpanContext?.spanId, c.spanContext().spanId);
    assert.equal(spanIdOf(handlerCtx), s.spanContext().spanId);
    assert.equal(active, handlerCtx);
    assert.equal(n.parentSpanContext?.spanId, s.spanContext().spanId);
    assert.deepEqual(
      { system: s.attributes['messaging.system'], subject: s.attributes['messaging.destination.name'], requestId: s.attributes['tokenflow.request_id'] },
      { system: 'nats', subject: 'tf.router.plan.v1', requestId: 'req_1' },
    );
    assert.equal(c.attributes['messaging.message.body.size'], 120);
  });

  it('marks a handler that failed, by its error code', async () => {
    await assert.rejects(
      withServerSpan('tf.billing.hold.v1', { traceparent: CALLER }, async () => {
        throw Object.assign(new Error('nope'), { code: 'insufficient_quota' });
      }),
    );
    await withServerSpan('tf.billing.hold.v1', { traceparent: CALLER }, async () => ({ failed: { code: 'rate_limit_exceeded' } }), (r) => r.failed);
    const [thrown, replied] = mem.spans();
    assert.equal(thrown.attributes['error.type'], 'insufficient_quota');
    assert.equal(replied.attributes['error.type'], 'rate_limit_exceeded');
    assert.equal(thrown.status.code, 2);
  });

  it('makes no span for work outside any trace (background polls and jobs)', async () => {
    assert.equal(startClientSpan('tf.billing.settlement-lag.v1', undefined, 2), null);
    assert.equal(startClientSpan('tf.billing.settlement-lag.v1', { traceparent: 'garbage' }, 2), null);
    assert.equal(startProducerSpan('tf.billing.hold-release.v1', undefined, 'm1'), null);
    let ran = false;
    await withServerSpan('tf.router.plan.v1', {}, async () => {
      ran = true;
    });
    await withConsumerSpans('billing-settlement', () => [{ subject: 'tf.usage.recorded.v1', traceparent: undefined, msgId: 'm', deliveries: 1 }], async () => undefined);
    assert.ok(ran);
    assert.equal(mem.spans().length, 0);
  });

  it('a JetStream event: a PRODUCER span under the publisher, a CONSUMER span per event under its producer', async () => {
    const producer = startProducerSpan('tf.usage.recorded.v1', CALLER, 'req_1:1');
    assert.ok(producer);
    producer.end();
    const [p] = mem.spans();
    const header = `00-${TRACE}-${p.spanContext().spanId}-01`;
    const other = '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01';
    let activeInBatch: string | undefined = 'unset';
    await withConsumerSpans(
      'billing-settlement',
      () => [
        { subject: 'tf.usage.recorded.v1', traceparent: header, msgId: 'req_1:1', deliveries: 1 },
        { subject: 'tf.usage.recorded.v1', traceparent: other, msgId: 'req_2:1', deliveries: 3 },
      ],
      async () => {
        activeInBatch = activeTraceparent();
      },
    );
    // A batch of several runs detached from any one request's trace.
    assert.equal(activeInBatch, undefined);
    let activeAlone: string | undefined;
    await assert.rejects(
      withConsumerSpans('billing-settlement', () => [{ subject: 'tf.usage.recorded.v1', traceparent: header, msgId: 'req_1:1', deliveries: 2 }], async () => {
        activeAlone = activeTraceparent();
        throw Object.assign(new Error('ledger down'), { code: 'ECONNREFUSED' });
      }),
    );
    const consumers = mem.spans().filter((s) => s.kind === SpanKind.CONSUMER);
    assert.equal(consumers.length, 3);
    assert.equal(p.kind, SpanKind.PRODUCER);
    assert.equal(p.parentSpanContext?.spanId, '00f067aa0ba902b7');
    assert.equal(p.attributes['messaging.message.id'], 'req_1:1');
    const [first, second, alone] = consumers;
    assert.equal(first.parentSpanContext?.spanId, p.spanContext().spanId);
    assert.equal(first.spanContext().traceId, TRACE);
    assert.equal(second.spanContext().traceId, '0af7651916cd43dd8448eb211c80319c');
    assert.equal(second.attributes['messaging.batch.message_count'], 2);
    assert.equal(second.attributes['messaging.consumer.group.name'], 'billing-settlement');
    // A batch of one runs inside its event's span.
    assert.equal(spanIdOf(activeAlone), alone.spanContext().spanId);
    assert.equal(alone.attributes['error.type'], 'ECONNREFUSED');
  });
});
