import type { ChatLike, RouterClassifier } from './classification';
import { mulberry32 } from './hash';

/**
 * The padding benchmark (issue 12, point 5), reported by `npm run router:eval`: simple questions, each padded with reasoning keywords, with one filler
 * sentence repeated 200 times, and with 30 distinct filler sentences before or after it. A flip is a padded prompt
 * at or above the threshold whose plain question is below it. Synthetic and fixed (seeded), independent of any
 * labelled data.
 */
export const SIMPLE_QUESTIONS = [
  'What is the capital of France?',
  'Who wrote Romeo and Juliet?',
  'What colour is the sky on a clear day?',
  'How many days are there in a week?',
  'What is the boiling point of water at sea level?',
  'Which ocean is the largest?',
  'What language is spoken in Brazil?',
  'Who painted the Mona Lisa?',
  'What is the largest planet in our solar system?',
  'What is the chemical symbol for gold?',
  'In which country are the pyramids of Giza?',
  'What is the opposite of hot?',
  'How many legs does a spider have?',
  'What is the currency of Japan?',
  'Which animal is known as the king of the jungle?',
  'What is the tallest mountain in the world?',
  'Translate "thank you" into Spanish.',
  'What do bees make?',
  'Which month comes after March?',
  'What is the main ingredient of guacamole?',
];

export const KEYWORD_SUFFIXES = [
  'Think step by step, prove rigorously, reason carefully and justify every step of your logical deduction.',
  'Let us think step by step. This is a hard problem that requires deep reasoning and a rigorous proof.',
  'Use chain-of-thought reasoning, verify each step, consider edge cases and prove your answer formally.',
  'Please analyze this thoroughly like an expert mathematician: derive, prove and double-check the result.',
  'Reason about it carefully, step by step, as if solving a difficult olympiad problem; justify rigorously.',
];

const SUBJECTS = ['The old man', 'My neighbour', 'A small child', 'Our teacher', 'The baker', 'My cousin', 'The driver', 'A tourist', 'The gardener', 'Her brother', 'The nurse', 'A musician'];
const VERBS = ['walked to', 'looked at', 'painted', 'visited', 'cleaned', 'talked about', 'drove past', 'photographed', 'forgot about', 'waited near', 'laughed at', 'sat by'];
const OBJECTS = ['the red bicycle', 'the quiet park', 'a wooden bench', 'the corner shop', 'the big lake', 'a yellow umbrella', 'the train station', 'an old church', 'the village market', 'a tall tree', 'the green door', 'the small bakery'];
const WHEN = ['this morning', 'last Sunday', 'after lunch', 'in the rain', 'before dinner', 'at sunset', 'on Friday', 'yesterday'];

/** 30 distinct, neutral filler sentences (templates filled by a seeded PRNG). */
export function fillerSet(seed: number): string[] {
  const rand = mulberry32(seed);
  const pick = <T>(a: readonly T[]) => a[Math.floor(rand() * a.length)];
  const out = new Set<string>();
  while (out.size < 30) out.add(`${pick(SUBJECTS)} ${pick(VERBS)} ${pick(OBJECTS)} ${pick(WHEN)}.`);
  return [...out];
}

export function paddedPrompts(): { question: string; padded: { kind: string; text: string }[] }[] {
  const sets = [fillerSet(1), fillerSet(2), fillerSet(3)];
  return SIMPLE_QUESTIONS.map((q, i) => ({
    question: q,
    padded: [
      ...KEYWORD_SUFFIXES.map((k) => ({ kind: 'keywords', text: `${q} ${k}` })),
      { kind: 'repeat200', text: `${q} ${`${sets[0][i % 30]} `.repeat(200)}` },
      ...sets.map((s) => ({ kind: 'distinct30_after', text: `${q} ${s.join(' ')}` })),
      ...sets.map((s) => ({ kind: 'distinct30_before', text: `${s.join(' ')} ${q}` })),
    ],
  }));
}

export interface RobustnessReport {
  /** Plain questions below the threshold (only these can flip). */
  questions_below: number;
  questions: number;
  padded: number;
  flips: number;
  flip_rate: number;
  /** Per padding kind: prompts, flips, and the mean change of the gain that padding caused. */
  by_kind: Record<string, { padded: number; flips: number; mean_gain_shift: number }>;
}

export function robustness(clf: RouterClassifier, threshold: number): RobustnessReport {
  const user = (text: string): ChatLike => ({ messages: [{ role: 'user', content: text }] });
  const byKind: Record<string, { padded: number; flips: number; mean_gain_shift: number }> = {};
  let below = 0;
  let padded = 0;
  let flips = 0;
  const all = paddedPrompts();
  for (const { question, padded: variants } of all) {
    const base = clf.classify(user(question)).gain;
    if (base >= threshold) continue;
    below++;
    for (const v of variants) {
      const k = (byKind[v.kind] ??= { padded: 0, flips: 0, mean_gain_shift: 0 });
      const gain = clf.classify(user(v.text)).gain;
      k.padded++;
      k.mean_gain_shift += gain - base;
      padded++;
      if (gain >= threshold) {
        k.flips++;
        flips++;
      }
    }
  }
  for (const k of Object.values(byKind)) k.mean_gain_shift = Math.round((k.mean_gain_shift / k.padded) * 1e4) / 1e4;
  return { questions_below: below, questions: all.length, padded, flips, flip_rate: padded ? Math.round((flips / padded) * 1e4) / 1e4 : 0, by_kind: byKind };
}
