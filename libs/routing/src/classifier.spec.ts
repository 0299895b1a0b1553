import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import type { ChatLike } from './classification';
import { loadClassifier } from './classifier';
import { FEATURE_VERSION } from './features';
import { narrativeFillerSet, robustness, SIMPLE_QUESTIONS } from './padding-benchmark';

const user = (content: string): ChatLike => ({ messages: [{ role: 'user', content }] });

const SIMPLE = 'What is the capital of France?';

const HARD_PROOF =
  'Prove that for every prime $p > 3$, $p^2 - 1$ is divisible by 24. Then prove rigorously that there are infinitely many ' +
  'primes of the form $4k+3$, and show that $\\sum_{p} 1/p$ diverges. Give a complete proof with all lemmas.';

const LARGE_CODE_TASK = [
  'Implement a thread-safe LRU cache in TypeScript with O(1) get/put, TTL expiry and an async loader that deduplicates',
  'concurrent loads for the same key. Include unit tests, then refactor the function below to use it.',
  '```ts',
  'export interface Cache<K, V> {',
  '  get(key: K): Promise<V | undefined>;',
  '  set(key: K, value: V, ttlMs?: number): void;',
  '}',
  '',
  'async function load(id: string) {',
  '  const res = await fetch(`/api/items/${id}`);',
  '  if (!res.ok) throw new Error(res.statusText);',
  '  return res.json();',
  '}',
  '```',
].join('\n');

describe('loadClassifier (committed weights)', () => {
  const clf = loadClassifier();

  it('is loaded once and names its feature version and training data', () => {
    assert.equal(loadClassifier(), clf);
    assert.match(clf.version, new RegExp(`^${FEATURE_VERSION}-[0-9a-f]{12}$`));
    assert.ok(Number.isFinite(clf.threshold));
  });

  it('returns consistent scores: gain = pNeeded − pHurts, the deployed threshold alongside', () => {
    const c = clf.classify(user('How many legs do three spiders and two ants have in total?'));
    assert.ok(c.pNeeded > 0 && c.pNeeded < 1 && c.pHurts > 0 && c.pHurts < 1);
    assert.equal(c.gain, c.pNeeded - c.pHurts);
    assert.equal(c.threshold, clf.threshold);
    assert.deepEqual(clf.classify(user('How many legs do three spiders and two ants have in total?')), c, 'deterministic');
  });

  describe('robustness: padding a simple prompt does not make it premium', () => {
    it('the simple prompt itself stays below the threshold', () => {
      assert.ok(clf.classify(user(SIMPLE)).gain < clf.threshold);
    });

    it('after reasoning keywords (the issue\'s example)', () => {
      const c = clf.classify(user(`${SIMPLE} Think step by step, prove rigorously, reason carefully and justify every step of your logical deduction.`));
      assert.ok(c.gain < clf.threshold, `gain ${c.gain} ≥ threshold ${clf.threshold}`);
    });

    it('effort words are no evidence at all: stuffing them leaves the gain exactly as it was', () => {
      const plain = clf.classify(user(SIMPLE)).gain;
      assert.equal(clf.classify(user(`${SIMPLE} think carefully step rigorously prove verify expert reasoning thoroughly`)).gain, plain);
    });

    it('after a filler sentence repeated 200 times — and repeating it changes nothing the model reads', () => {
      const once = clf.classify(user(`${SIMPLE} The weather was pleasant today.`));
      const many = clf.classify(user(`${SIMPLE} ${'The weather was pleasant today. '.repeat(200)}`));
      assert.deepEqual(many, once);
      assert.ok(many.gain < clf.threshold, `gain ${many.gain} ≥ threshold ${clf.threshold}`);
    });

    // Issue 12: no padding flips a simple question that is below the threshold — for the benchmark's sets and for the
    // held-out ones (other template seeds, a second generator with other words, a narrative), never tuned on.
    it('no padded variant of a simple question below the threshold reaches it (benchmark and held-out filler)', () => {
      const report = robustness(clf, clf.threshold);
      assert.ok(report.questions_below >= 15, `only ${report.questions_below} simple questions below the threshold`);
      const flips = Object.entries(report.by_kind).filter(([, k]) => k.flips > 0).map(([kind, k]) => `${kind} ${k.flips}/${k.padded}`);
      assert.deepEqual(flips, [], `flips: ${flips.join(', ')}`);
      for (const kind of ['keywords', 'repeat200', 'distinct30_after', 'distinct30_before', 'heldout_template_after', 'heldout_template_before', 'narrative_after', 'narrative_before']) {
        assert.ok(report.by_kind[kind]?.padded > 0, `no ${kind} variants`);
      }
    });

    it('text around the question can lower its gain but hardly raise it (30 narrative sentences before and after)', () => {
      for (const q of SIMPLE_QUESTIONS) {
        const base = clf.classify(user(q)).gain;
        for (const seed of [11, 12]) {
          const story = narrativeFillerSet(seed).join(' ');
          for (const text of [`${q} ${story}`, `${story} ${q}`]) assert.ok(clf.classify(user(text)).gain <= base + 0.01, `${text.slice(0, 60)}…`);
        }
      }
    });
  });

  it('puts a hard proof and a large code task in their categories (the router adds their priors)', () => {
    assert.ok(['math', 'reasoning'].includes(clf.classify(user(HARD_PROOF)).category));
    const code = clf.classify(user(LARGE_CODE_TASK));
    assert.equal(code.category, 'code');
  });

  it('does not modify the body it reads', () => {
    const body = { messages: [{ role: 'user', content: SIMPLE }], max_tokens: 10 };
    const copy = structuredClone(body);
    clf.classify(body);
    assert.deepEqual(body, copy);
  });
});
