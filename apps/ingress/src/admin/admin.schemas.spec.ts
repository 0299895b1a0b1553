import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { PROVIDERS } from '@tokenflow/contracts';
import { channelCreateSchema } from './admin.schemas';

const channel = { name: 'c', api_keys: ['sk-1'], models: ['m'] };

describe('channelCreateSchema', () => {
  it("takes every provider of the adapter's folders and nothing else", () => {
    for (const provider of PROVIDERS) {
      assert.ok(channelCreateSchema.safeParse({ ...channel, provider, base_url: 'https://upstream.example/v1' }).success, provider);
    }
    assert.equal(channelCreateSchema.safeParse({ ...channel, provider: 'nope' }).success, false);
  });

  it('requires base_url exactly for providers without a default one', () => {
    assert.ok(channelCreateSchema.safeParse({ ...channel, provider: 'deepseek' }).success);
    const missing = channelCreateSchema.safeParse({ ...channel, provider: 'openai-compatible' });
    assert.equal(missing.success, false);
    assert.deepEqual(missing.error?.issues.map((i) => [i.path.join('.'), i.message]), [
      ['base_url', 'base_url is required: the openai-compatible provider has no default base URL'],
    ]);
  });
});
