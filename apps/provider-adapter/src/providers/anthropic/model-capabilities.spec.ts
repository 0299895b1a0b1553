import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { claudeVersion, rejectsSamplingParams, takesOneSampler, usesAdaptiveThinking } from './model-capabilities';

describe('claudeVersion', () => {
  it('reads the version wherever the id puts it, ignoring dates', () => {
    const table: [string, { major: number; minor: number } | null][] = [
      ['claude-sonnet-4-5-20250929', { major: 4, minor: 5 }],
      ['claude-opus-5', { major: 5, minor: 0 }],
      ['claude-opus-5-5', { major: 5, minor: 5 }],
      ['claude-3-7-sonnet-latest', { major: 3, minor: 7 }],
      ['claude-3-opus-20240229', { major: 3, minor: 0 }],
      ['claude-haiku-4-5@20251001', { major: 4, minor: 5 }],
      ['anthropic.claude-opus-4-6-v1', { major: 4, minor: 6 }],
      ['claude-mythos-preview', null],
      ['gpt-4o', null],
    ];
    for (const [id, version] of table) assert.deepEqual(claudeVersion(id), version, id);
  });
});

describe('model rules', () => {
  // [id, adaptive thinking, rejects sampling, one sampler]
  const table: [string, boolean, boolean, boolean][] = [
    ['claude-3-7-sonnet-20250219', false, false, false],
    ['claude-sonnet-4-20250514', false, false, false],
    ['claude-opus-4-1', false, false, true],
    ['claude-haiku-4-5-20251001', false, false, true],
    ['claude-sonnet-4-6', true, false, true],
    ['claude-opus-4-7', true, true, true],
    ['claude-sonnet-5-5', true, true, true],
    ['claude-haiku-5-5', true, true, true],
    ['claude-mythos-preview', true, true, false],
    ['my-custom-name', false, false, false],
  ];

  it('knows what each generation accepts', () => {
    for (const [id, adaptive, noSampling, oneSampler] of table) {
      assert.equal(usesAdaptiveThinking(id), adaptive, `${id} adaptive`);
      assert.equal(rejectsSamplingParams(id), noSampling, `${id} sampling`);
      assert.equal(takesOneSampler(id), oneSampler, `${id} one sampler`);
    }
  });
});
