import { strict as assert } from 'node:assert';
import { after, before, describe, it } from 'node:test';
import type { INestApplicationContext } from '@nestjs/common';
import { type RateLimitAcquireRequest, type RateLimits, Subjects, TfError, USAGE_STREAM, type UsageRecordedEvent } from '@tokenflow/contracts';
import { NatsBus } from '@tokenflow/messaging';
import { testNamespace, testUrls, waitFor } from '@tokenflow/testing';
import { Redis } from 'ioredis';
import { ratelimitEnvSchema } from '../src/config';
import { createRatelimitApp } from '../src/ratelimit.app';

const limits = (l: Partial<RateLimits>): RateLimits => ({ rpm: null, tpm: null, maxConcurrency: null, models: null, ...l });

describe('ratelimit service (real NATS + Redis), three replicas', () => {
  const ns = testNamespace('rl');
  let replicas: INestApplicationContext[];
  let bus: NatsBus;
  let redis: Redis;
  let n = 0;

  before(async () => {
    const config = ratelimitEnvSchema.parse({ NATS_URL: testUrls.nats, REDIS_URL: testUrls.redis, TF_NAMESPACE: ns, DEFAULT_KEY_RPM: '3', CONCURRENCY_LEASE_MS: '1500' });
    replicas = await Promise.all([createRatelimitApp(config), createRatelimitApp(config), createRatelimitApp(config)]);
    bus = await NatsBus.connect({ url: testUrls.nats, name: 'rl-test', namespace: ns });
    redis = new Redis(testUrls.redis);
  });
  after(async () => {
    await bus.durable.deleteStream(USAGE_STREAM);
    await bus.close();
    await Promise.all(replicas.map((r) => r.close()));
    redis.disconnect();
  });

  const request = (over: Partial<RateLimitAcquireRequest>): RateLimitAcquireRequest => ({
    requestId: `r-${n++}`,
    accountId: 'acct-1',
    keyId: 'key-1',
    model: 'm',
    estimatedTokens: 10,
    key: null,
    account: null,
    ...over,
  });
  const acquire = (over: Partial<RateLimitAcquireRequest>) => bus.request(Subjects.ratelimitAcquire, request(over));
  const outcome = async (p: Promise<unknown>) => p.then(() => 'ok', (e: TfError) => e.code);

  it('admits exactly 100 of 1,000 concurrent requests from one key with rpm=100, across three replicas', async () => {
    const key = limits({ rpm: 100 });
    const results = await Promise.allSettled(Array.from({ length: 1_000 }, () => acquire({ keyId: 'key-rpm', key })));
    assert.equal(results.filter((r) => r.status === 'fulfilled').length, 100);
    const denied = results.find((r) => r.status === 'rejected') as PromiseRejectedResult;
    const err = denied.reason as TfError;
    assert.equal(err.code, 'rate_limit_exceeded');
    assert.equal(err.status, 429);
    assert.match(err.message, /^Rate limit exceeded\. Try again in \d+\.\ds\. Limit: 100 requests per minute for this API key\.$/);
    assert.ok(err.retryAfterMs! > 55_000 && err.retryAfterMs! <= 60_000, `the window frees in ~60 s (${err.retryAfterMs})`);
    assert.deepEqual([err.headers?.['x-ratelimit-limit-requests'], err.headers?.['x-ratelimit-remaining-requests']], ['100', '0']);
  });

  it('reports the most constraining limit, and keeps keys, models and accounts apart', async () => {
    const key = limits({ rpm: 5, models: { big: { rpm: 2, tpm: null } } });
    const first = await acquire({ keyId: 'key-b', key, model: 'big' });
    assert.deepEqual([first.requests?.limit, first.requests?.remaining], [2, 1], 'the per-model limit is tighter');
    assert.equal(first.reserved, undefined, 'requests per minute need no release');
    await acquire({ keyId: 'key-b', key, model: 'big' });
    const third = await outcome(acquire({ keyId: 'key-b', key, model: 'big' }));
    assert.equal(third, 'rate_limit_exceeded');
    // Another model of the same key still has the key's own 5 (2 used).
    assert.equal((await acquire({ keyId: 'key-b', key, model: 'small' })).requests?.remaining, 2);
    // The deployment default (3) for a key without its own RPM; an account RPM shared by its keys.
    assert.equal((await acquire({ keyId: 'key-c' })).requests?.limit, 3);
    const account = limits({ rpm: 2 });
    await acquire({ accountId: 'acct-2', keyId: 'k-x', account });
    await acquire({ accountId: 'acct-2', keyId: 'k-y', account });
    const err = await acquire({ accountId: 'acct-2', keyId: 'k-z', account }).catch((e: TfError) => e);
    assert.match((err as TfError).message, /Limit: 2 requests per minute for this account\./);
  });

  it('reserves the TPM estimate, corrects it from the usage event, and refunds it whole when no usage comes', async () => {
    const key = limits({ rpm: 1_000, tpm: 1_000 });
    const a = await acquire({ accountId: 'acct-t', keyId: 'key-t', key, estimatedTokens: 900, requestId: 'tpm-1' });
    assert.deepEqual([a.tokens?.limit, a.tokens?.remaining, a.reserved], [1_000, 100, true]);
    assert.equal(await outcome(acquire({ accountId: 'acct-t', keyId: 'key-t', key, estimatedTokens: 500 })), 'rate_limit_exceeded');
    // The stream really used 150 tokens: 750 of the estimate come back.
    await bus.publishDurable(Subjects.usageRecorded, usage('acct-t', 'tpm-1', 100, 50), 'tpm-1:1');
    await waitFor(async () => (await outcome(acquire({ accountId: 'acct-t', keyId: 'key-t', key, estimatedTokens: 500, requestId: 'tpm-2' }))) === 'ok', 10_000, 'corrected');
    // A redelivered usage event corrects nothing twice.
    await bus.publishDurable(Subjects.usageRecorded, usage('acct-t', 'tpm-1', 100, 50), 'tpm-1:1-again');
    // tpm-2 never reached an upstream: its 500 come back at release.
    bus.emit(Subjects.ratelimitRelease, { requestId: 'tpm-2', accountId: 'acct-t', refundTokens: true });
    const c = await waitFor(
      async () => acquire({ accountId: 'acct-t', keyId: 'key-t', key, estimatedTokens: 800 }).catch(() => null),
      10_000,
      'refunded',
    );
    assert.ok(c.tokens!.remaining < 60, `850 of 1,000 were free (+ refill); ${c.tokens!.remaining} left after 800`);
    // A request larger than the whole limit can never pass: no Retry-After to wait for.
    const big = (await acquire({ accountId: 'acct-t', keyId: 'key-t', key, estimatedTokens: 5_000 }).catch((e: TfError) => e)) as TfError;
    assert.equal(big.code, 'rate_limit_exceeded');
    assert.equal(big.retryAfterMs, undefined);
    assert.match(big.message, /Request too large/);
  });

  it('frees concurrency slots on release, and on lease expiry when a holder never releases', async () => {
    const key = limits({ rpm: 1_000, maxConcurrency: 2 });
    const ids = ['c-1', 'c-2'];
    for (const requestId of ids) await acquire({ accountId: 'acct-c', keyId: 'key-c2', key, requestId });
    assert.equal(await outcome(acquire({ accountId: 'acct-c', keyId: 'key-c2', key })), 'rate_limit_exceeded');
    bus.emit(Subjects.ratelimitRelease, { requestId: 'c-1', accountId: 'acct-c', refundTokens: false });
    await waitFor(async () => (await outcome(acquire({ accountId: 'acct-c', keyId: 'key-c2', key, requestId: 'c-3' }))) === 'ok', 5_000, 'released slot');
    // c-2 and c-3 are never released (their holder "crashed"): the 1.5 s lease frees them.
    await waitFor(async () => (await outcome(acquire({ accountId: 'acct-c', keyId: 'key-c2', key }))) === 'ok', 5_000, 'expired lease');
    const slots = await redis.zcard(`tf:${ns}:rl:v1:{a:acct-c}:k:key-c2:c`);
    assert.ok(slots <= 2, `never more slots than the limit (${slots})`);
  });

  it('reloads its scripts when Redis forgot them (restart, failover): NOSCRIPT never reaches a caller', async () => {
    await redis.script('FLUSH');
    const reply = await acquire({ keyId: 'key-noscript', key: limits({ rpm: 5 }) });
    assert.deepEqual([reply.requests?.limit, reply.requests?.remaining], [5, 4]);
  });

  it('fails open or closed, as configured, when Redis is unreachable, without hanging', async () => {
    const base = { NATS_URL: testUrls.nats, REDIS_URL: 'redis://127.0.0.1:1', DEFAULT_KEY_RPM: '10' };
    for (const mode of ['open', 'closed'] as const) {
      const isolated = testNamespace(`rl-${mode}`);
      const app = await createRatelimitApp(ratelimitEnvSchema.parse({ ...base, TF_NAMESPACE: isolated, RATELIMIT_FAIL_MODE: mode }));
      const client = await NatsBus.connect({ url: testUrls.nats, name: 'rl-fail', namespace: isolated });
      const started = Date.now();
      const result = await client.request(Subjects.ratelimitAcquire, request({})).catch((e: TfError) => e);
      assert.ok(Date.now() - started < 2_000, 'answered promptly');
      if (mode === 'open') assert.deepEqual(result, { requests: null, tokens: null, degraded: true });
      else assert.equal((result as TfError).code, 'service_unavailable');
      await client.durable.deleteStream(USAGE_STREAM);
      await client.close();
      await app.close();
    }
  });
});

function usage(accountId: string, requestId: string, promptTokens: number, completionTokens: number): UsageRecordedEvent {
  return {
    eventId: `${requestId}:1`,
    requestId,
    attemptNo: 1,
    accountId,
    keyId: 'key-t',
    model: 'm',
    channelId: 'c',
    provider: 'openai',
    upstreamModel: 'm',
    promptTokens,
    completionTokens,
    cachedTokens: 0,
    reasoningTokens: 0,
    usageSource: 'upstream',
    outcome: 'ok',
    inputNanoPerToken: '1',
    outputNanoPerToken: '1',
    ttftMs: 1,
    durationMs: 2,
    occurredAt: new Date().toISOString(),
  };
}
