import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import type { AutoSignal } from '@tokenflow/contracts';
import { type AutoCandidate, type AutoPolicy, decideAuto, explain } from './auto-decision';

/** The seed catalog's shape, at the seed price book's prices (nano-USD per token). */
const MODELS: AutoCandidate[] = [
  { id: 'deepseek-v3', tier: 'economy', strengths: { chat: 0.85, math: 0.8, code: 0.84 }, outputFactor: 1, inputNano: 140, outputNano: 280, p95TtftMs: null },
  { id: 'glm-4-plus', tier: 'economy', strengths: { chat: 0.82, math: 0.72, code: 0.74 }, outputFactor: 1, inputNano: 150, outputNano: 500, p95TtftMs: null },
  { id: 'deepseek-r1', tier: 'premium', strengths: { chat: 0.78, math: 0.96, code: 0.9 }, outputFactor: 4, inputNano: 550, outputNano: 2190, p95TtftMs: null },
  { id: 'gpt-4o', tier: 'premium', strengths: { chat: 0.92, math: 0.86, code: 0.9 }, outputFactor: 1, inputNano: 2500, outputNano: 10000, p95TtftMs: null },
  { id: 'claude-sonnet', tier: 'premium', strengths: { chat: 0.93, math: 0.88, code: 0.96 }, outputFactor: 1.2, inputNano: 3000, outputNano: 15000, p95TtftMs: null },
];
const POLICY: AutoPolicy = {
  priors: {
    chat: { gain: -0.05, classifierWeight: 0.7, outputTokens: 150 },
    math: { gain: 0.2, classifierWeight: 0.7, outputTokens: 400 },
    code: { gain: 0.15, classifierWeight: 0.7, outputTokens: 800 },
  },
  modeOffsets: { economy: 0.1, balanced: 0, quality: -0.1 },
};
const signal = (over: Partial<AutoSignal> = {}, prefs: AutoSignal['prefs'] = {}): AutoSignal => ({
  category: 'chat',
  gain: -0.1,
  classifier: 'test',
  threshold: 0.1,
  promptTokens: 50,
  maxTokens: null,
  prefs,
  ...over,
});

describe('decideAuto', () => {
  it('sends chit-chat to the cheapest good model, and ranks the rest as its fallbacks', () => {
    const d = decideAuto(signal(), MODELS, POLICY);
    assert.equal(d.premium, false);
    assert.equal(d.ranked[0], 'deepseek-v3');
    assert.deepEqual([...d.ranked].sort(), MODELS.map((m) => m.id).sort());
    assert.equal(d.gain, round(0.7 * -0.1 + 0.3 * -0.05));
    assert.match(d.reason, /quality per \$/);
  });

  it('sends a hard math problem to the strongest model for math, which is also cheaper here than gpt-4o', () => {
    const d = decideAuto(signal({ category: 'math', gain: 0.4 }), MODELS, POLICY);
    assert.equal(d.premium, true);
    // claude-sonnet (0.88) and gpt-4o (0.86) are a near-tie: the cheaper comes first.
    assert.deepEqual(d.ranked.slice(0, 3), ['deepseek-r1', 'gpt-4o', 'claude-sonnet']);
    // 50 prompt tokens at 550 + 400 expected output × 4 (reasoning) at 2190 nano-USD.
    assert.equal(d.estUsd, (50 * 550 + 400 * 4 * 2190) / 1e9);
  });

  it('moves the premium threshold with the mode', () => {
    const borderline = signal({ category: 'code', gain: 0.1 });
    // Blended: 0.7 × 0.1 + 0.3 × 0.15 = 0.115 against thresholds 0.2 / 0.1 / 0.0.
    assert.equal(decideAuto({ ...borderline, prefs: { mode: 'economy' } }, MODELS, POLICY).premium, false);
    assert.equal(decideAuto(borderline, MODELS, POLICY).premium, true);
    assert.equal(decideAuto({ ...borderline, prefs: { mode: 'quality' } }, MODELS, POLICY).ranked[0], 'claude-sonnet');
  });

  it('sends a one-line code question to a cheap model and a large code task to the strongest coder (size prior)', () => {
    const policy: AutoPolicy = { ...POLICY, priors: { ...POLICY.priors, code: { gain: 0, classifierWeight: 0.2, gainPerDoubling: 0.06, outputTokens: 800 } } };
    const small = decideAuto(signal({ category: 'code', gain: 0.1, promptTokens: 40 }), MODELS, policy);
    assert.equal(small.premium, false);
    assert.equal(small.ranked[0], 'deepseek-v3');
    assert.doesNotMatch(small.reason, /size/);
    // 2,048 tokens: three doublings past 256, + 0.18 on 0.2 × 0.1.
    const large = decideAuto(signal({ category: 'code', gain: 0.1, promptTokens: 2048 }), MODELS, policy);
    assert.equal(large.gain, round(0.2 * 0.1 + 3 * 0.06));
    assert.equal(large.premium, true);
    assert.equal(large.ranked[0], 'claude-sonnet');
    assert.match(large.reason, /size \+0\.18/);
    // Past 4,096 tokens size says nothing more.
    assert.equal(decideAuto(signal({ category: 'code', gain: 0.1, promptTokens: 100_000 }), MODELS, policy).gain, round(0.2 * 0.1 + 4 * 0.06));
    // Categories without a size prior (a padded knowledge question) gain nothing from length.
    assert.equal(decideAuto(signal({ promptTokens: 100_000 }), MODELS, policy).gain, decideAuto(signal(), MODELS, policy).gain);
  });

  it("honours the request's price cap and allow-list, and never picks an unpriced model", () => {
    const capped = decideAuto(signal({ category: 'math', gain: 0.5 }, { maxPricePer1mOutput: 3 }), MODELS, POLICY);
    assert.deepEqual(capped.ranked, ['deepseek-r1', 'deepseek-v3', 'glm-4-plus']);
    assert.deepEqual(decideAuto(signal({}, { models: ['glm-4-plus', 'gpt-4o'] }), MODELS, POLICY).ranked, ['glm-4-plus', 'gpt-4o']);
    const unpriced = MODELS.map((m) => (m.id === 'deepseek-v3' ? { ...m, inputNano: null } : m));
    assert.ok(!decideAuto(signal(), unpriced, POLICY).ranked.includes('deepseek-v3'));
    assert.deepEqual(decideAuto(signal(), [], POLICY).ranked, []);
  });

  it('drops models whose p95 TTFT misses a latency target, unless none meets it', () => {
    const timed = MODELS.map((m) => ({ ...m, p95TtftMs: m.id === 'deepseek-v3' ? 900 : 200 }));
    const d = decideAuto(signal({}, { latencyTargetMs: 500 }), timed, POLICY);
    assert.ok(!d.ranked.includes('deepseek-v3'));
    assert.equal(d.ranked[0], 'glm-4-plus');
    const none = decideAuto(signal({}, { latencyTargetMs: 50 }), timed, POLICY);
    assert.equal(none.ranked.length, MODELS.length);
    assert.match(none.reason, /no model meets 50 ms/);
  });

  it("weighs the classifier per category: out of its training data (chit-chat), the category's prior decides", () => {
    const policy: AutoPolicy = { ...POLICY, priors: { ...POLICY.priors, chat: { gain: -0.1, classifierWeight: 0.1, outputTokens: 150 } } };
    // The classifier, trained on exam questions, finds "hi" hard (0.2); the chat prior (−0.1, weight 0.9) overrules it.
    const d = decideAuto(signal({ gain: 0.2 }), MODELS, policy);
    assert.deepEqual([d.gain, d.premium, d.ranked[0]], [round(0.1 * 0.2 + 0.9 * -0.1), false, 'deepseek-v3']);
  });

  it("expects a model's observed answer length: a reasoning model that thinks at length loses to a dearer one of equal quality", () => {
    // Equal math quality; per token, 'reasoner' is the cheaper. The catalog's output factor (1) undersells its thinking.
    const pair: AutoCandidate[] = [
      { id: 'reasoner', tier: 'economy', strengths: { math: 0.9 }, outputFactor: 1, inputNano: 200, outputNano: 400, p95TtftMs: null },
      { id: 'plain', tier: 'economy', strengths: { math: 0.9 }, outputFactor: 1, inputNano: 200, outputNano: 500, p95TtftMs: null },
    ];
    const math = signal({ category: 'math', gain: -0.2 });
    const unobserved = decideAuto(math, pair, POLICY);
    assert.deepEqual([unobserved.premium, unobserved.ranked], [false, ['reasoner', 'plain']]);
    assert.equal(unobserved.estUsd, (50 * 200 + 400 * 400) / 1e9, 'the math prior: 400 output tokens');
    assert.match(unobserved.reason, /~400 output tokens \(prior\)/);
    // The ledger saw it write 3000 tokens (reasoning included) per math answer: now the dearer per token is cheaper.
    const observed = pair.map((c) => (c.id === 'reasoner' ? { ...c, observedOutputTokens: 3000 } : c));
    const d = decideAuto(math, observed, POLICY);
    assert.deepEqual(d.ranked, ['plain', 'reasoner']);
    assert.equal(d.estUsd, (50 * 200 + 400 * 500) / 1e9);
    // max_tokens bounds what either may bill: capped at 100, per-token prices decide again.
    const capped = decideAuto({ ...math, maxTokens: 100 }, observed, POLICY);
    assert.deepEqual(capped.ranked, ['reasoner', 'plain']);
    assert.equal(capped.estUsd, (50 * 200 + 100 * 400) / 1e9);
    assert.match(capped.reason, /~100 output tokens \(max_tokens\)/);
    // A prior larger than what the ledger saw does not count either: the observation replaces it.
    const short = pair.map((c) => ({ ...c, observedOutputTokens: c.id === 'plain' ? 50 : null }));
    assert.equal(decideAuto(math, short, POLICY).ranked[0], 'plain');
    assert.match(decideAuto(math, short, POLICY).reason, /~50 output tokens \(ledger\)/);
  });

  it('uses the request max_tokens for the expected cost, and explains itself in one header value', () => {
    const d = decideAuto(signal({ maxTokens: 10 }), MODELS, POLICY);
    assert.equal(d.estUsd, (50 * 140 + 10 * 280) / 1e9);
    assert.match(explain(d, ['glm-4-plus', 'deepseek-r1']), /^cat=chat;gain=-0\.085;mode=balanced;est_usd=0\.0000098;reason=[^;]+;fallback=glm-4-plus,deepseek-r1$/);
  });
});

function round(x: number): number {
  return Math.round(x * 1000) / 1000;
}
