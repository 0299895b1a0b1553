import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import type { RateLimitAcquireRequest } from '@tokenflow/contracts';
import { bucketsFor, upstreamBucketsFor } from './buckets';

const req = (over: Partial<RateLimitAcquireRequest>): RateLimitAcquireRequest => ({
  requestId: 'r',
  accountId: 'a1',
  keyId: 'k1',
  model: 'gpt-4o',
  estimatedTokens: 1,
  key: null,
  account: null,
  ...over,
});

describe('bucketsFor', () => {
  it('gives a key without limits only the deployment default RPM, and nothing when that is 0', () => {
    assert.deepEqual(bucketsFor('tf:x', req({}), 600), [{ key: 'tf:x:rl:v1:{a:a1}:k:k1:r', kind: 'r', limit: 600, label: 'requests per minute for this API key' }]);
    assert.deepEqual(bucketsFor('tf:x', req({}), 0), []);
  });

  it('lists key, key×model, account and account×model limits, all on the account\'s hash tag', () => {
    const buckets = bucketsFor(
      'tf:x',
      req({
        key: { rpm: 10, tpm: 1000, maxConcurrency: 2, models: { 'gpt-4o': { rpm: 1, tpm: null }, other: { rpm: 5, tpm: 5 } } },
        account: { rpm: null, tpm: 5000, maxConcurrency: null, models: { 'gpt-4o': { rpm: null, tpm: 100 } } },
      }),
      600,
    );
    assert.deepEqual(
      buckets.map((b) => [b.key.replace('tf:x:rl:v1:{a:a1}:', ''), b.kind, b.limit]),
      [
        ['k:k1:r', 'r', 10],
        ['k:k1:t', 't', 1000],
        ['k:k1:c', 'c', 2],
        ['k:k1:m:gpt-4o:r', 'r', 1],
        ['acct:t', 't', 5000],
        ['acct:m:gpt-4o:t', 't', 100],
      ],
    );
    assert.ok(buckets.every((b) => b.key.includes('{a:a1}')), 'one Cluster slot per account');
    assert.equal(buckets[5].label, 'tokens per minute for this account on gpt-4o');
  });
});

describe('upstreamBucketsFor', () => {
  it('keys an upstream key\'s quota by its reference and the model, on its own hash tag', () => {
    const buckets = upstreamBucketsFor('tf:x', { requestId: 'r', model: 'deepseek-chat', estimatedTokens: 1, limits: { ref: 'ch:abc', rpm: 60, tpm: null } });
    assert.deepEqual(buckets, [{ key: 'tf:x:rl:v1:{u:ch:abc}:m:deepseek-chat:r', kind: 'r', limit: 60, label: 'requests per minute for this upstream key on deepseek-chat' }]);
  });
});

describe('bucketsFor: defaults and gaps', () => {
  const keys = (buckets: { key: string; kind: string; limit: number }[]) => buckets.map((b) => [b.key.replace('tf:x:rl:v1:{a:a1}:', ''), b.limit]);

  it("lets a key's own RPM replace the default, higher or lower, and never gives the account the key default", () => {
    assert.deepEqual(keys(bucketsFor('tf:x', req({ key: { rpm: 5, tpm: null, maxConcurrency: null, models: null } }), 600)), [['k:k1:r', 5]]);
    assert.deepEqual(keys(bucketsFor('tf:x', req({ key: { rpm: 5000, tpm: null, maxConcurrency: null, models: null } }), 600)), [['k:k1:r', 5000]]);
    assert.deepEqual(
      keys(bucketsFor('tf:x', req({ account: { rpm: null, tpm: null, maxConcurrency: 3, models: null } }), 600)),
      [['k:k1:r', 600], ['acct:c', 3]],
    );
  });

  it('treats 0 and null limits as no limit (a 0 limit would refuse everything)', () => {
    const none = { rpm: 0, tpm: 0, maxConcurrency: 0, models: { 'gpt-4o': { rpm: 0, tpm: null } } };
    assert.deepEqual(bucketsFor('tf:x', req({ key: none, account: none }), 0), []);
    assert.deepEqual(bucketsFor('tf:x', req({}), -1), [], 'a negative default is no default');
  });

  it('applies per-model limits of the requested model only', () => {
    const limits = { rpm: null, tpm: null, maxConcurrency: null, models: { 'gpt-4o-mini': { rpm: 1, tpm: 1 } } };
    assert.deepEqual(bucketsFor('tf:x', req({ model: 'gpt-4o', key: limits, account: limits }), 0), []);
  });
});

describe('upstreamBucketsFor: both limits', () => {
  it('lists RPM then TPM of the key on the model, and nothing for a key without limits', () => {
    const both = upstreamBucketsFor('tf:x', { requestId: 'r', model: 'm', estimatedTokens: 1, limits: { ref: 'k', rpm: 60, tpm: 90_000 } });
    assert.deepEqual(both.map((b) => [b.key, b.kind, b.limit]), [
      ['tf:x:rl:v1:{u:k}:m:m:r', 'r', 60],
      ['tf:x:rl:v1:{u:k}:m:m:t', 't', 90_000],
    ]);
    assert.deepEqual(upstreamBucketsFor('tf:x', { requestId: 'r', model: 'm', estimatedTokens: 1, limits: { ref: 'k', rpm: null, tpm: null } }), []);
  });
});
