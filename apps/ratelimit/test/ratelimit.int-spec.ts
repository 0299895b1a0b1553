import { strict as assert } from 'node:assert';
import { after, before, describe, it } from 'node:test';
import type { INestApplicationContext } from '@nestjs/common';
import { type RateLimitAcquireRequest, type RateLimits, Streams, Subjects, TfError, USAGE_STREAM, type UsageRecordedEvent } from '@tokenflow/contracts';
import { NatsBus } from '@tokenflow/messaging';
import { testNamespace, testUrls, usageEvent, waitFor } from '@tokenflow/testing';
import { Redis } from 'ioredis';
import { ratelimitEnvSchema } from '../src/config';
import { SCRIPTS } from '../src/limits/limit-scripts.lua';
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
    // Billing's part, after ratelimit booted (as it may in production): the usage stream's owner creates it.
    await bus.durable.ensureStream(Streams.usage);
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

  it('names the limit that frees last in a denial, and shows what is left without the denied request', async () => {
    // The key's slot frees within a second, the account's request budget only in ~60 s: retrying after the
    // first would be refused again by the second.
    const key = limits({ maxConcurrency: 1 });
    const account = limits({ rpm: 1 });
    await acquire({ accountId: 'acct-last', keyId: 'key-last', key, account });
    const err = (await acquire({ accountId: 'acct-last', keyId: 'key-last', key, account }).catch((e: TfError) => e)) as TfError;
    assert.match(err.message, /Limit: 1 requests per minute for this account\.$/);
    assert.ok(err.retryAfterMs! > 55_000, `waits for the account's window (${err.retryAfterMs})`);
    // Denied by TPM: the request took nothing, so 4 of 5 requests and the 10 unreserved tokens are still there.
    const tight = limits({ rpm: 5, tpm: 100 });
    const granted = await acquire({ accountId: 'acct-left', keyId: 'key-left', key: tight, estimatedTokens: 90 });
    assert.deepEqual([granted.requests?.remaining, granted.tokens?.remaining], [4, 10]);
    assert.equal(granted.requests?.resetMs, 60_000, 'back to the full limit a window after the newest request');
    const denied = (await acquire({ accountId: 'acct-left', keyId: 'key-left', key: tight, estimatedTokens: 50 }).catch((e: TfError) => e)) as TfError;
    assert.match(denied.message, /tokens per minute for this API key/);
    assert.deepEqual([denied.headers?.['x-ratelimit-remaining-requests'], denied.headers?.['x-ratelimit-remaining-tokens']], ['4', '10']);
  });

  it('keeps model names with spaces intact through release, and never recreates an expired reservation', async () => {
    const key = limits({ maxConcurrency: 1, models: { 'my model v2': { rpm: null, tpm: 100 } } });
    const who = { accountId: 'acct-sp', keyId: 'key-sp', key, model: 'my model v2' };
    await acquire({ ...who, requestId: 'sp-1', estimatedTokens: 100 });
    bus.emit(Subjects.ratelimitRelease, { requestId: 'sp-1', accountId: 'acct-sp', refundTokens: true });
    // Both the slot and the 100 tokens come back, or this could not pass for ~60 s.
    await waitFor(async () => (await outcome(acquire({ ...who, requestId: 'sp-2', estimatedTokens: 100 }))) === 'ok', 5_000, 'slot and tokens back');
    // A correction that arrives after the reservation expired changes nothing and leaves no key behind.
    const gone = `tf:${ns}:rl:v1:{a:acct-sp}:res:long-gone`;
    const bucket = `tf:${ns}:rl:v1:{a:acct-sp}:k:key-sp:m:my model v2:t`;
    assert.equal(await redis.eval(SCRIPTS.settle.lua, 2, gone, bucket, 'long-gone', 'ev-1', 0, 1), 0);
    assert.equal(await redis.exists(gone), 0);
  });

  it('leases a slot for as long as the request may run (capped), so a crashed holder frees it after its deadline', async () => {
    const key = limits({ maxConcurrency: 1 });
    const slots = `tf:${ns}:rl:v1:{a:acct-lease}:k:key-lease:c`;
    await acquire({ accountId: 'acct-lease', keyId: 'key-lease', key, leaseMs: 300 });
    assert.ok((await redis.pttl(slots)) <= 300);
    await waitFor(async () => (await outcome(acquire({ accountId: 'acct-lease', keyId: 'key-lease', key, leaseMs: 60_000 }))) === 'ok', 3_000, 'short lease over');
    const ttl = await redis.pttl(slots);
    assert.ok(ttl > 1_000 && ttl <= 1_500, `capped at CONCURRENCY_LEASE_MS (${ttl})`);
  });

  it('reloads its scripts when Redis forgot them (restart, failover): NOSCRIPT never reaches a caller', async () => {
    await redis.script('FLUSH');
    const reply = await acquire({ keyId: 'key-noscript', key: limits({ rpm: 5 }) });
    assert.deepEqual([reply.requests?.limit, reply.requests?.remaining], [5, 4]);
  });

  it('answers `degraded` at once when Redis is unreachable (ingress applies the fail mode), reserved in case it counted', async () => {
    const isolated = testNamespace('rl-down');
    const app = await createRatelimitApp(ratelimitEnvSchema.parse({ NATS_URL: testUrls.nats, REDIS_URL: 'redis://127.0.0.1:1', DEFAULT_KEY_RPM: '10', TF_NAMESPACE: isolated }));
    const client = await NatsBus.connect({ url: testUrls.nats, name: 'rl-fail', namespace: isolated });
    try {
      const started = Date.now();
      const result = await client.request(Subjects.ratelimitAcquire, request({}));
      assert.ok(Date.now() - started < 2_000, 'answered promptly');
      assert.deepEqual(result, { requests: null, tokens: null, degraded: true, reserved: true });
      // An upstream key's quota is never a reason to refuse: the provider's own 429 is the worst case.
      assert.deepEqual(await client.request(Subjects.ratelimitUpstreamAcquire, { requestId: 'u-1', model: 'm', limits: { ref: 'x', rpm: 1, tpm: null }, estimatedTokens: 1 }), { granted: true });
    } finally {
      await client.durable.deleteStream(USAGE_STREAM);
      await client.close();
      await app.close();
    }
  });
});

function usage(accountId: string, requestId: string, promptTokens: number, completionTokens: number): UsageRecordedEvent {
  return usageEvent(requestId, { accountId, keyId: 'key-t', promptTokens, completionTokens });
}
