import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { isProvider, mockBasePath, needsBaseUrl, PROVIDERS } from './providers';

describe('providers (derived from the adapter folders)', () => {
  it("puts the mock's prefix for each provider where its real base URL's path would be", () => {
    assert.deepEqual(Object.fromEntries(PROVIDERS.map((p) => [p, mockBasePath(p)])), {
      anthropic: '/anthropic/v1',
      deepseek: '/deepseek',
      moonshot: '/moonshot/v1',
      openai: '/openai/v1',
      'openai-compatible': '/openai-compatible',
      qwen: '/qwen/compatible-mode/v1',
      zhipu: '/zhipu/api/paas/v4',
    });
  });

  it('knows its own ids only, never inherited property names', () => {
    assert.ok(PROVIDERS.every(isProvider));
    for (const id of ['nope', 'constructor', '__proto__', 'toString', undefined, 7]) assert.equal(isProvider(id), false, String(id));
  });

  it('asks a base URL of channels only for providers without a default', () => {
    assert.deepEqual(PROVIDERS.filter(needsBaseUrl), ['openai-compatible']);
  });
});
