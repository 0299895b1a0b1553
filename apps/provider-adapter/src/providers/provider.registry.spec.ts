import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import { resolve } from 'node:path';
import { describe, it } from 'node:test';
import { type Provider, PROVIDER_DESCRIPTORS, PROVIDERS, TfError } from '@tokenflow/contracts';
import { capability, providerFor } from './provider.registry';

const root = resolve(__dirname, '..', '..', '..', '..', '..');

describe('provider registry (derived from the provider folders)', () => {
  it('is in step with the folders: `npm run providers` has nothing to write', () => {
    const check = spawnSync(process.execPath, ['tools/sync-providers.mjs', '--check'], { cwd: root, encoding: 'utf8' });
    assert.equal(check.status, 0, check.stderr);
  });

  it("has every listed provider's folder, under its own id and its card's default base URL", () => {
    for (const id of PROVIDERS) {
      assert.equal(providerFor(id).id, id);
      assert.equal(providerFor(id).defaultBaseUrl, PROVIDER_DESCRIPTORS[id].defaultBaseUrl, id);
    }
  });

  it("treats a stored channel's provider this build lacks as a retryable upstream failure", () => {
    for (const id of ['gone', 'constructor', '__proto__']) {
      assert.throws(() => providerFor(id as Provider), (err: unknown) => err instanceof TfError && err.code === 'upstream_error' && err.retryable === true);
    }
  });

  it('refuses an API the provider lacks as the caller\'s 400, retryable on another channel', () => {
    assert.throws(() => capability(providerFor('anthropic'), 'embeddings'), (err: unknown) => err instanceof TfError && err.code === 'invalid_request' && err.retryable === true);
    assert.ok(capability(providerFor('openai'), 'completions'));
  });
});
