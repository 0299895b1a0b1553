import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { formatReset, rateLimitHeaders } from './rate-limit-headers';

describe('rate-limit headers', () => {
  it('formats reset durations the way OpenAI does', () => {
    assert.equal(formatReset(20), '20ms');
    assert.equal(formatReset(1_500), '1.5s');
    assert.equal(formatReset(360_000), '6m0s');
    assert.equal(formatReset(61_250), '1m1.25s');
  });

  it('renders both dimensions, and leaves out one that had no limit', () => {
    assert.deepEqual(rateLimitHeaders({ requests: { limit: 100, remaining: 99, resetMs: 600 }, tokens: null }), {
      'x-ratelimit-limit-requests': '100',
      'x-ratelimit-remaining-requests': '99',
      'x-ratelimit-reset-requests': '600ms',
    });
    assert.equal(Object.keys(rateLimitHeaders({ requests: null, tokens: { limit: 1, remaining: 0, resetMs: 1 } })).length, 3);
  });
});
