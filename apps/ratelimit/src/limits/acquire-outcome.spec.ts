import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { TfError } from '@tokenflow/contracts';
import { acquireReply, limitState, upstreamDenial } from './acquire-outcome';
import type { Bucket } from './buckets';

const rpm: Bucket = { key: 'k:r', kind: 'r', limit: 100, label: 'requests per minute for this API key' };
const tpm: Bucket = { key: 'k:t', kind: 't', limit: 1000, label: 'tokens per minute for this account' };
const conc: Bucket = { key: 'k:c', kind: 'c', limit: 2, label: 'concurrent requests for this API key' };

const denial = (fn: () => unknown): TfError => {
  try {
    fn();
  } catch (err) {
    assert.ok(err instanceof TfError);
    return err;
  }
  assert.fail('expected a denial');
};

describe('acquireReply: grants', () => {
  it('shows the header values of each dimension, and needs no release for requests-per-minute alone', () => {
    const reply = acquireReply([1, 100, 99, 60_000, -1, -1, 0], [rpm], 50);
    assert.deepEqual(reply, { requests: { limit: 100, remaining: 99, resetMs: 60_000 }, tokens: null });
    assert.ok(!('reserved' in reply));
  });

  it('is reserved (its end must be reported) once a token bucket or a concurrency slot was taken', () => {
    assert.equal(acquireReply([1, 100, 99, 60_000, 1000, 750, 15_000], [rpm, tpm], 250).reserved, true);
    assert.equal(acquireReply([1, -1, -1, 0, -1, -1, 0], [conc], 1).reserved, true);
  });
});

describe('acquireReply: denials', () => {
  it('names the bucket that denied (1-based) and when to retry, with the headers as they stand', () => {
    const err = denial(() => acquireReply([0, 2, 1500, 100, 40, 30_000, 1000, 10, 59_400], [rpm, tpm], 250));
    assert.equal(err.code, 'rate_limit_exceeded');
    assert.equal(err.status, 429);
    assert.equal(err.retryAfterMs, 1500);
    assert.equal(err.message, 'Rate limit exceeded. Try again in 1.5s. Limit: 1000 tokens per minute for this account.');
    assert.equal(err.headers?.['x-ratelimit-remaining-requests'], '40');
    assert.equal(err.headers?.['x-ratelimit-remaining-tokens'], '10');
    assert.equal(err.retryable, false, 'a caller limit is not worth another channel');
  });

  it('rounds the advertised wait to a tenth of a second but keeps the exact retry-after', () => {
    const err = denial(() => acquireReply([0, 1, 49, 100, 0, 49, -1, -1, 0], [rpm], 1));
    assert.match(err.message, /Try again in 0\.0s/);
    assert.equal(err.retryAfterMs, 49);
  });

  it('refuses a request larger than a limit without a retry-after: waiting would never help', () => {
    const err = denial(() => acquireReply([0, 2, -1, 100, 99, 600, 1000, 1000, 0], [rpm, tpm], 1200));
    assert.equal(err.retryAfterMs, undefined);
    assert.equal(
      err.message,
      'Request too large: it may use 1200 tokens, more than the limit of 1000 tokens per minute for this account. Lower max_tokens or shorten the prompt.',
    );
    assert.equal(err.headers?.['x-ratelimit-limit-tokens'], '1000');
  });

  it('denies with a zero wait when the script says so (the slot is free by now), still naming the limit', () => {
    const err = denial(() => acquireReply([0, 3, 0, -1, -1, 0, -1, -1, 0], [rpm, tpm, conc], 1));
    assert.equal(err.retryAfterMs, 0);
    assert.match(err.message, /Limit: 2 concurrent requests for this API key/);
    assert.deepEqual(err.headers, {});
  });
});

describe('upstreamDenial', () => {
  it('grants with nothing to throw', () => {
    assert.equal(upstreamDenial([1, 60, 59, 1000, -1, -1, 0], 'deepseek-chat'), null);
  });

  it('is a retryable 429, so ingress falls back to the next channel', () => {
    const err = upstreamDenial([0, 1, 2500, 60, 0, 2500, -1, -1, 0], 'deepseek-chat')!;
    assert.equal(err.code, 'rate_limit_exceeded');
    assert.equal(err.retryable, true);
    assert.equal(err.retryAfterMs, 2500);
    assert.equal(err.message, 'Upstream capacity for deepseek-chat is exhausted. Try again in 2.5s.');
  });

  it('suggests a minute when the attempt is larger than the key’s quota', () => {
    const err = upstreamDenial([0, 1, -1, -1, -1, 0, 1000, 1000, 0], 'm')!;
    assert.equal(err.retryAfterMs, 60_000);
    assert.match(err.message, /Try again in 60\.0s/);
  });
});

describe('limitState', () => {
  it('is null when no limit of that dimension applied (limit -1), and a zero limit is still a limit', () => {
    assert.equal(limitState(-1, -1, 0), null);
    assert.deepEqual(limitState(0, 0, 60_000), { limit: 0, remaining: 0, resetMs: 60_000 });
  });
});
