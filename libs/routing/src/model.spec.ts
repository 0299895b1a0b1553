import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { FeatureScanner } from './features';
import { headLogit, interleave, logitWithTokens, pairTokens } from './model';
import { paddedPrompts } from './padding-benchmark';
import type { WeightsFile } from './weights-file';
import { decodeHeads } from './weights-file';
import committed from './weights.json';

/**
 * Serving scores both heads in one pass over interleaved weights (`pairTokens` + `logitWithTokens`); training and
 * evaluation of a single head use `headLogit`. They must be the same function, or what was evaluated is not what runs.
 */
describe('the serving fast path equals the training logit', () => {
  const file = committed as unknown as WeightsFile;
  const { needed, hurts } = decodeHeads(file);
  const pair = interleave(needed, hurts);
  const scanner = new FeatureScanner({ hashBits: file.hashBits, hashSeed: file.hashSeed });
  const t = new Float64Array(4);
  const bodies = [
    'hi',
    'What is the capital of France?',
    'A farmer has 17 sheep and buys 3 times as many goats. Each goat costs $12. How much did he spend?',
    'Write a Python function that reverses a linked list.\n```python\nclass Node:\n    pass\n```',
    ...paddedPrompts().flatMap((q) => q.padded.slice(0, 3).map((p) => p.text)),
  ];

  it('for both heads, on plain, math, code and padded prompts', () => {
    for (const content of bodies) {
      const fv = scanner.extract({ messages: [{ role: 'user', content }] });
      pairTokens(pair, fv, file.shape, t);
      for (const [head, q, c] of [
        [needed, t[0], t[2]],
        [hurts, t[1], t[3]],
      ] as const) {
        const fast = logitWithTokens(head, fv, file.shape, q, c);
        const slow = headLogit(head, fv, file.shape);
        assert.ok(Math.abs(fast - slow) < 1e-9, `${content.slice(0, 40)}: ${fast} vs ${slow}`);
      }
    }
  });
});
