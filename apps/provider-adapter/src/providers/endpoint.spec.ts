import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { attemptFor } from '../../test/providers/attempt.testing';
import { baseUrlOf, endpoint, trimTrailingSlashes } from './endpoint';

describe('endpoint', () => {
  it("joins the channel's base URL (else the default), without trailing slashes, and the path", () => {
    assert.equal(endpoint(attemptFor('openai', 'gpt-4o'), 'https://api.openai.com/v1', '/chat/completions'), 'https://api.openai.com/v1/chat/completions');
    assert.equal(endpoint(attemptFor('openai', 'gpt-4o', 'http://x/v1///'), 'https://api.openai.com/v1', '/embeddings'), 'http://x/v1/embeddings');
    assert.equal(baseUrlOf(attemptFor('openai-compatible', 'm'), ''), '');
  });

  it('trims trailing slashes only', () => {
    assert.equal(trimTrailingSlashes('http://x/a/'), 'http://x/a');
    assert.equal(trimTrailingSlashes('http://x/a'), 'http://x/a');
    assert.equal(trimTrailingSlashes('///'), '');
    assert.equal(trimTrailingSlashes(''), '');
  });

  // Regression: `/\/+$/` took ~7 s on 100k slashes followed by one more character.
  it('is linear on a long run of slashes that is not at the end', () => {
    const url = `http://x${'/'.repeat(200_000)}y/`;
    const started = performance.now();
    assert.equal(trimTrailingSlashes(url), url.slice(0, -1));
    const ms = performance.now() - started;
    assert.ok(ms < 200, `took ${ms.toFixed(1)} ms`);
  });
});
