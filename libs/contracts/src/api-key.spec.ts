import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { API_KEY_PATTERN, generateApiKey, hashApiKey } from './api-key';

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
});
