import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import type { Provider } from '@tokenflow/contracts';
import { upstreamModelFor } from './upstream-model';

describe('upstreamModelFor (the one model-mapping step)', () => {
  it("maps our well-known names to each provider's current ids when the channel names none", () => {
    const cases: [Provider, string, string][] = [
      ['deepseek', 'deepseek-v3', 'deepseek-chat'],
      ['deepseek', 'deepseek-r1', 'deepseek-reasoner'],
      ['moonshot', 'kimi-k2', 'kimi-k2-turbo-preview'],
      ['moonshot', 'kimi', 'kimi-latest'],
      ['qwen', 'qwen', 'qwen-plus'],
      ['qwen', 'qwen-max-latest', 'qwen-max'],
      ['zhipu', 'glm-4', 'glm-4-plus'],
      ['zhipu', 'glm-4-air', 'glm-4-air-250414'],
      ['zhipu', 'glm-4-flash', 'glm-4-flash-250414'],
      ['zhipu', 'glm-4-flashx', 'glm-4-flashx-250414'],
      ['anthropic', 'claude-opus', 'claude-opus-5-5'],
      ['anthropic', 'claude-sonnet', 'claude-sonnet-5-5'],
      ['anthropic', 'claude-haiku', 'claude-haiku-5-5'],
    ];
    for (const [provider, ours, theirs] of cases) assert.equal(upstreamModelFor(provider, ours, {}), theirs, `${provider} ${ours}`);
  });

  it("lets the channel's model_mapping win, and never maps its result a second time", () => {
    assert.equal(upstreamModelFor('moonshot', 'kimi-k2', { 'kimi-k2': 'kimi-k2-0905-preview' }), 'kimi-k2-0905-preview');
    // A mapping onto one of the provider's alias names is sent as written: one step, not two.
    assert.equal(upstreamModelFor('anthropic', 'my-claude', { 'my-claude': 'claude-sonnet' }), 'claude-sonnet');
  });

  it("keeps any other name, another provider's aliases and inherited property names included", () => {
    assert.equal(upstreamModelFor('anthropic', 'claude-sonnet-4-5-20250929', {}), 'claude-sonnet-4-5-20250929');
    assert.equal(upstreamModelFor('openai', 'deepseek-v3', {}), 'deepseek-v3');
    assert.equal(upstreamModelFor('openai-compatible', 'constructor', {}), 'constructor');
    assert.equal(upstreamModelFor('deepseek', '__proto__', {}), '__proto__');
  });
});
