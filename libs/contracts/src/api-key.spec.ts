import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { API_KEY_PATTERN, generateApiKey, hashApiKey, upstreamKeyFingerprint } from './api-key';

describe('api keys', () => {
  it('look like tf- plus 48 base62 characters and never repeat', () => {
    const keys = new Set(Array.from({ length: 200 }, generateApiKey));
    assert.equal(keys.size, 200);
    for (const k of keys) assert.match(k, API_KEY_PATTERN);
  });
  it('hash to a stable SHA-256 hex digest', () => {
    assert.equal(hashApiKey('tf-abc'), hashApiKey('tf-abc'));
    assert.match(hashApiKey('tf-abc'), /^[0-9a-f]{64}$/);
    assert.notEqual(hashApiKey('tf-abc'), hashApiKey('tf-abd'));
  });
  it('fingerprint an upstream key as a stable 16-hex reference that does not contain it', () => {
    const key = 'sk-upstream-secret-0123456789';
    assert.equal(upstreamKeyFingerprint(key), upstreamKeyFingerprint(key));
    assert.match(upstreamKeyFingerprint(key), /^[0-9a-f]{16}$/);
    assert.notEqual(upstreamKeyFingerprint(key), upstreamKeyFingerprint(`${key}x`));
    assert.ok(!upstreamKeyFingerprint(key).includes('secret'));
  });
});
