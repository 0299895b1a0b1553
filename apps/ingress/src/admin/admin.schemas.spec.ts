import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { PROVIDERS, TfError } from '@tokenflow/contracts';
import { adminValidate } from './admin-input';
import { catalogModelPatchSchema, categoryPriorPatchSchema, channelCreateSchema, channelTestSchema, keyCreateSchema, keyPatchSchema } from './admin.schemas';

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

describe('key fallbacks', () => {
  const create = (fallbacks: unknown) => adminValidate(keyCreateSchema, { account_id: 'a', fallbacks });
  const patch = (fallbacks: unknown) => adminValidate(keyPatchSchema, { fallbacks });
  /** The OpenAI-format 400 `adminValidate` throws, as the client sees it. */
  const refusal = (fn: () => unknown) => {
    try {
      fn();
    } catch (err) {
      assert.ok(err instanceof TfError, String(err));
      assert.equal(err.status, 400);
      return err.toBody();
    }
    assert.fail('accepted');
  };

  it('takes an ordered chain of up to 8 distinct models, not limited to the key’s `models`, and [] for none', () => {
    const chain = ['deepseek-v3', 'gpt-4o-mini', 'm3', 'm4', 'm5', 'm6', 'm7', 'x'.repeat(256)];
    assert.deepEqual(create(chain).fallbacks, chain);
    assert.deepEqual(adminValidate(keyCreateSchema, { account_id: 'a', models: ['gpt-4o'], fallbacks: ['deepseek-v3'] }).fallbacks, ['deepseek-v3']);
    assert.deepEqual(create([]).fallbacks, []);
    assert.equal(adminValidate(keyCreateSchema, { account_id: 'a' }).fallbacks, undefined, 'left out: the catalog chain');
    assert.deepEqual(patch(['gpt-4o']), { fallbacks: ['gpt-4o'] });
  });

  it('takes null on PATCH alone (back to the catalog chain), but not on create', () => {
    assert.deepEqual(patch(null), { fallbacks: null });
    assert.equal(refusal(() => create(null)).param, 'fallbacks');
  });

  it('refuses a bad chain with a 400 naming fallbacks (and the entry at fault)', () => {
    const cases: [unknown, string, RegExp][] = [
      [['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h', 'i'], 'fallbacks', /array too long\. Expected an array with maximum length 8/],
      [['gpt-4o', 'deepseek-v3', 'gpt-4o'], 'fallbacks', /names 'gpt-4o' twice/],
      [['gpt-4o', ''], 'fallbacks[1]', /Invalid value for 'fallbacks\[1\]'/],
      [['x'.repeat(257)], 'fallbacks[0]', /string too long\. Expected a string with maximum length 256/],
      [['auto'], 'fallbacks[0]', /'auto' cannot be a fallback/],
      [[42], 'fallbacks[0]', /expected string/],
      ['gpt-4o', 'fallbacks', /expected array/],
      [['bad\u0000model'], 'fallbacks[0]', /NUL/],
    ];
    for (const [value, param, message] of cases) {
      for (const fn of [() => create(value), () => patch(value)]) {
        const body = refusal(fn);
        assert.equal(body.param, param, JSON.stringify(value));
        assert.equal(body.type, 'invalid_request_error');
        assert.match(body.message, message, JSON.stringify(value));
      }
    }
  });

  it('still requires PATCH to change something, and keeps rate limits patchable alone', () => {
    assert.match(refusal(() => adminValidate(keyPatchSchema, {})).message, /at least one of .*fallbacks/);
    assert.deepEqual(adminValidate(keyPatchSchema, { rpm: 10 }), { rpm: 10 });
    assert.equal(refusal(() => adminValidate(keyPatchSchema, { fallback: ['gpt-4o'] })).param, null, 'an unknown field is refused');
  });
});

describe('catalog and category admin schemas', () => {
  const refused = (schema: Parameters<typeof adminValidate>[0], body: unknown) =>
    assert.throws(() => adminValidate(schema, body), (e: unknown) => e instanceof TfError && e.status === 400, JSON.stringify(body));

  it("takes a model's chain, tier, strengths per known category and output factor, and refuses the rest", () => {
    assert.deepEqual(adminValidate(catalogModelPatchSchema, { tier: 'premium', strengths: { math: 0.9 }, output_factor: 4 }), { tier: 'premium', strengths: { math: 0.9 }, output_factor: 4 });
    assert.deepEqual(adminValidate(catalogModelPatchSchema, { fallbacks: ['qwen-max'] }), { fallbacks: ['qwen-max'] });
    for (const bad of [{}, { tier: 'gold' }, { strengths: { poetry: 0.5 } }, { strengths: { math: 1.5 } }, { output_factor: 0 }, { fallbacks: ['auto'] }, { context_window: 1 }]) refused(catalogModelPatchSchema, bad);
  });

  it("takes a category prior's gain, classifier weight and answer length within bounds", () => {
    assert.deepEqual(adminValidate(categoryPriorPatchSchema, { gain: -0.2, classifier_weight: 0.5, output_tokens: 300 }), { gain: -0.2, classifier_weight: 0.5, output_tokens: 300 });
    assert.deepEqual(adminValidate(categoryPriorPatchSchema, { gain_per_doubling: 0.05 }), { gain_per_doubling: 0.05 });
    for (const bad of [{}, { gain: 2 }, { classifier_weight: -0.1 }, { output_tokens: 0 }, { output_tokens: 1.5 }, { gain_per_doubling: 0.3 }, { gain_per_doubling: -0.01 }, { other: 1 }]) refused(categoryPriorPatchSchema, bad);
  });

  it('takes an optional model for a channel test', () => {
    assert.deepEqual(adminValidate(channelTestSchema, {}), {});
    assert.deepEqual(adminValidate(channelTestSchema, { model: 'gpt-4o' }), { model: 'gpt-4o' });
    refused(channelTestSchema, { model: '' });
    refused(channelTestSchema, { keys: 3 });
  });
});
