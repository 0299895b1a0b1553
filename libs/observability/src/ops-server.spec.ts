import { strict as assert } from 'node:assert';
import { after, describe, it } from 'node:test';
import { Counter, Registry } from 'prom-client';
import { announcedOpsUrl, cachedProbe, OpsServer, type ReadinessCheck, redisCheck } from './ops-server';

function server(checks: ReadinessCheck[], checkTimeoutMs = 200): { ops: OpsServer; registry: Registry } {
  const registry = new Registry();
  new Counter({ name: 'tf_test_total', help: 'test', registers: [registry] }).inc(3);
  return { ops: new OpsServer({ service: 'test', port: 0, host: '127.0.0.1', registry, checks, checkTimeoutMs }), registry };
}

async function get(url: string): Promise<{ status: number; body: string; type: string | null }> {
  const res = await fetch(url);
  return { status: res.status, body: await res.text(), type: res.headers.get('content-type') };
}

describe('OpsServer', () => {
  const open: OpsServer[] = [];
  after(async () => Promise.all(open.map((o) => o.close())));
  const start = async (checks: ReadinessCheck[], timeoutMs?: number) => {
    const { ops } = server(checks, timeoutMs);
    open.push(ops);
    return { ops, url: await ops.listen() };
  };

  it('serves liveness, readiness with every check named, and the registry on an ephemeral port it announces', async () => {
    const { url } = await start([
      { name: 'nats', check: () => true },
      { name: 'redis', check: async () => true },
    ]);
    assert.match(url, /^http:\/\/127\.0\.0\.1:\d+$/);
    assert.equal(announcedOpsUrl(), url);
    assert.deepEqual(await get(`${url}/healthz`).then((r) => [r.status, JSON.parse(r.body)]), [200, { status: 'ok' }]);
    const ready = await get(`${url}/readyz`);
    assert.equal(ready.status, 200);
    assert.deepEqual(JSON.parse(ready.body), { status: 'ready', checks: { nats: 'ok', redis: 'ok' } });
    const metrics = await get(`${url}/metrics`);
    assert.equal(metrics.status, 200);
    assert.match(metrics.type ?? '', /^text\/plain/);
    assert.match(metrics.body, /^tf_test_total 3$/m);
    assert.equal((await get(`${url}/nope`)).status, 404);
    assert.equal((await fetch(`${url}/readyz`, { method: 'POST' })).status, 405);
  });

  it('answers 503 naming the dependency that is down, whether its check says false, throws or hangs', async () => {
    for (const failing of [() => false, () => Promise.reject(new Error('boom')), () => new Promise<boolean>(() => undefined)] as ReadinessCheck['check'][]) {
      const { url } = await start([{ name: 'nats', check: () => true }, { name: 'postgres', check: failing }], 100);
      const started = Date.now();
      const r = await get(`${url}/readyz`);
      assert.equal(r.status, 503);
      assert.deepEqual(JSON.parse(r.body), { status: 'not_ready', checks: { nats: 'ok', postgres: 'down' } });
      assert.ok(Date.now() - started < 1_000, 'a hanging check is cut at the check timeout');
      // Liveness does not depend on the dependencies.
      assert.equal((await get(`${url}/healthz`)).status, 200);
    }
  });

  it('is not ready once the shutdown began (Nest: onModuleDestroy), while liveness and metrics still answer', async () => {
    const { ops, url } = await start([{ name: 'nats', check: () => true }]);
    assert.equal((await get(`${url}/readyz`)).status, 200);
    ops.onModuleDestroy();
    const r = await get(`${url}/readyz`);
    assert.equal(r.status, 503);
    assert.deepEqual(JSON.parse(r.body), { status: 'shutting_down', checks: { nats: 'ok' } });
    assert.equal((await get(`${url}/healthz`)).status, 200);
    assert.equal((await get(`${url}/metrics`)).status, 200);
    await ops.onApplicationShutdown();
    await assert.rejects(fetch(`${url}/healthz`));
  });

  it('reads an ioredis connection as ready only in status "ready"', () => {
    const conn = { status: 'connecting' };
    const check = redisCheck(conn);
    assert.equal(check.name, 'redis');
    assert.equal(check.check(), false);
    conn.status = 'ready';
    assert.equal(check.check(), true);
    conn.status = 'reconnecting';
    assert.equal(check.check(), false);
  });
});

describe('cachedProbe', () => {
  it('probes at most once per ttl, shares a probe in flight, and reads a failure or a timeout as false', async () => {
    let calls = 0;
    let behaviour: 'ok' | 'fail' | 'hang' = 'ok';
    const probe = cachedProbe(
      () => {
        calls++;
        if (behaviour === 'fail') return Promise.reject(new Error('connection refused'));
        if (behaviour === 'hang') return new Promise(() => undefined);
        return new Promise((r) => setTimeout(r, 10));
      },
      { ttlMs: 50, timeoutMs: 30 },
    );
    assert.deepEqual(await Promise.all([probe(), probe(), probe()]), [true, true, true]);
    assert.equal(calls, 1);
    assert.equal(await probe(), true);
    assert.equal(calls, 1, 'cached');
    behaviour = 'fail';
    await new Promise((r) => setTimeout(r, 60));
    assert.equal(await probe(), false);
    assert.equal(calls, 2);
    behaviour = 'hang';
    await new Promise((r) => setTimeout(r, 60));
    const started = Date.now();
    assert.equal(await probe(), false);
    assert.ok(Date.now() - started < 200);
    behaviour = 'ok';
    await new Promise((r) => setTimeout(r, 60));
    assert.equal(await probe(), true);
  });
});
