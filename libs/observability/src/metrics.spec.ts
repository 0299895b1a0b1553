import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { Registry } from 'prom-client';
import { cachedRead, consumerPendingGauge, createMetricsRegistry, QueueDepthGauge } from './metrics';

describe('createMetricsRegistry', () => {
  it("labels every series with the service and carries Node's default metrics, event-loop lag included", async () => {
    const text = await createMetricsRegistry('svc').metrics();
    assert.match(text, /^nodejs_eventloop_lag_seconds\{service="svc"\} /m);
    assert.match(text, /^process_cpu_seconds_total\{service="svc"\} /m);
  });
});

describe('cachedRead', () => {
  it('reads once per ttl, and a failing or slow read is null (left out of the scrape) until the next one', async () => {
    let n = 0;
    let mode: 'ok' | 'fail' | 'slow' = 'ok';
    const read = cachedRead(
      async () => {
        n++;
        if (mode === 'fail') throw new Error('no NATS');
        if (mode === 'slow') await new Promise((r) => setTimeout(r, 200));
        return n;
      },
      40,
      50,
    );
    assert.deepEqual(await Promise.all([read(), read()]), [1, 1]);
    assert.equal(await read(), 1);
    mode = 'fail';
    await new Promise((r) => setTimeout(r, 50));
    assert.equal(await read(), null);
    mode = 'slow';
    await new Promise((r) => setTimeout(r, 50));
    assert.equal(await read(), null);
    mode = 'ok';
    await new Promise((r) => setTimeout(r, 50));
    assert.equal(await read(), 4);
  });
});

describe('scrape-time gauges', () => {
  it('tokenflow_jetstream_consumer_pending: one series per consumer that could be read', async () => {
    const registry = new Registry();
    consumerPendingGauge(registry, [
      { stream: 'TF_USAGE', consumer: 'billing-settler', pending: async () => 7 },
      { stream: 'TF_REQUESTS', consumer: 'gone', pending: async () => Promise.reject(new Error('consumer not found')) },
    ]);
    const text = await registry.metrics();
    assert.match(text, /^tokenflow_jetstream_consumer_pending\{stream="TF_USAGE",consumer="billing-settler"\} 7$/m);
    assert.doesNotMatch(text, /consumer="gone"/);
  });

  it('tokenflow_bullmq_queue_jobs: waiting, delayed, active and failed of every watched queue, counted once per cache period', async () => {
    const registry = new Registry();
    const gauge = new QueueDepthGauge(registry);
    let asked = 0;
    const queue = {
      name: 'tf-default-router-probes',
      getJobCounts: async (...types: string[]) => {
        asked++;
        assert.deepEqual(types, ['waiting', 'delayed', 'active', 'failed']);
        return { waiting: 2, delayed: 1, active: 0 };
      },
    };
    gauge.watch(queue);
    gauge.watch(queue);
    const text = await registry.metrics();
    for (const [state, n] of [['waiting', 2], ['delayed', 1], ['active', 0], ['failed', 0]] as const) {
      assert.match(text, new RegExp(`^tokenflow_bullmq_queue_jobs\\{queue="tf-default-router-probes",state="${state}"\\} ${n}$`, 'm'));
    }
    await registry.metrics();
    assert.equal(asked, 1, 'cached between scrapes, and watched once');
  });
});
