import { strict as assert } from 'node:assert';
import { after, before, describe, it } from 'node:test';
import type { INestApplicationContext } from '@nestjs/common';
import { Subjects, TfError } from '@tokenflow/contracts';
import { NatsBus } from '@tokenflow/messaging';
import { testNamespace, testUrls } from '@tokenflow/testing';
import { ratelimitEnvSchema } from '../src/config';
import { createRatelimitApp } from '../src/ratelimit.app';

describe('ratelimit service (real NATS + Redis), two replicas', () => {
  const ns = testNamespace('rl');
  let replicas: INestApplicationContext[];
  let bus: NatsBus;

  before(async () => {
    const config = ratelimitEnvSchema.parse({ NATS_URL: testUrls.nats, REDIS_URL: testUrls.redis, TF_NAMESPACE: ns, DEFAULT_KEY_RPM: '3' });
    replicas = await Promise.all([createRatelimitApp(config), createRatelimitApp(config)]);
    bus = await NatsBus.connect({ url: testUrls.nats, name: 'rl-test', namespace: ns });
  });
  after(async () => {
    await bus.close();
    await Promise.all(replicas.map((r) => r.close()));
  });

  const acquire = (keyId: string, rpmLimit: number | null) => bus.request(Subjects.ratelimitAcquire, { requestId: 'r', keyId, model: 'm', rpmLimit });

  it('holds a per-key RPM exactly across replicas (the queue group spreads the calls)', async () => {
    const results = await Promise.allSettled(Array.from({ length: 20 }, () => acquire('key-a', 10)));
    const granted = results.filter((r) => r.status === 'fulfilled');
    const denied = results.filter((r) => r.status === 'rejected') as PromiseRejectedResult[];
    assert.equal(granted.length, 10);
    assert.equal(denied.length, 10);
    const err = denied[0].reason as TfError;
    assert.ok(err instanceof TfError);
    assert.equal(err.code, 'rate_limit_exceeded');
    assert.ok(err.retryAfterMs! > 0 && err.retryAfterMs! <= 60_000);
    assert.match(err.message, /Try again in \d+\.\ds/);
  });

  it('counts remaining requests and keeps keys independent; uses the default RPM when a key has none', async () => {
    const first = await acquire('key-b', 2);
    assert.deepEqual([first.limitRequests, first.remainingRequests], [2, 1]);
    await acquire('key-b', 2);
    await assert.rejects(acquire('key-b', 2), TfError);
    assert.equal((await acquire('key-c', null)).limitRequests, 3);
  });
});
