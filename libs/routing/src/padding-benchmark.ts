import type { ChatLike, RouterClassifier } from './classification';
import { mulberry32 } from './hash';

/**
 * The padding benchmark (issue 12, point 5), reported by `npm run router:eval`: simple questions, each padded with
 * reasoning keywords, with one filler sentence repeated 200 times, and with 30 distinct filler sentences before or
 * after it — template sentences (seeds 1–3, the benchmark proper; seeds 4–8 held out), sentences of a second,
 * held-out template generator with other words and shape, and 30-sentence runs of a short narrative. A flip is a
 * padded prompt at or above the threshold whose plain question is below it. Synthetic and fixed (seeded),
 * independent of any labelled data.
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

/**
 * Flips of the benchmark's variants and of the held-out ones (`heldOutPadded`, kinds `template_*` for other seeds,
 * `heldout_template_*`, `narrative_*`), per kind.
 */
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
    for (const v of [...variants, ...heldOutPadded(question)]) {
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

// Held-out filler, never used to choose anything: another template generator with its own vocabulary and sentence
// shape, and sentences drawn from a short narrative written for this benchmark (plain prose, dialogue, numbers and a
// question of its own), so a fix cannot be fitted to the template vocabulary above.
const NAMES = ['Ingrid', 'Tomas', 'Priya', 'Mateo', 'Aiko', 'Olu', 'Fenna', 'Rashid', 'Clara', 'Dmitri', 'Lena', 'Kwame'];
const ACTIONS = ['repaired the fence by', 'bought fresh bread at', 'lost a glove near', 'hung the laundry behind', 'read the newspaper in', 'fed the cat outside', 'phoned a friend from', 'planted tulips beside', 'fixed a flat tyre at', 'found a coin under', 'sketched the harbour from', 'waited for the bus at'];
const PLACES = ['the post office', 'the garden shed', 'the harbour wall', 'the library steps', 'the tram stop', 'the old mill', 'the farm gate', 'the school yard', 'the fish market', 'the hotel lobby', 'the river bank', 'the apartment block'];
const MOODS = ['and hummed a tune', 'while the kettle boiled', 'before it got dark', 'as the church bells rang', 'and then went home', 'without saying a word', 'while it drizzled', 'and smiled at a stranger'];

/** 30 distinct sentences from a second template generator (other words, other shape) — held out. */
export function heldOutFillerSet(seed: number): string[] {
  const rand = mulberry32(seed ^ 0x5f3759df);
  const pick = <T>(a: readonly T[]) => a[Math.floor(rand() * a.length)];
  const out = new Set<string>();
  while (out.size < 30) out.add(`On the way home, ${pick(NAMES)} ${pick(ACTIONS)} ${pick(PLACES)} ${pick(MOODS)}.`);
  return [...out];
}

/** A short narrative written for this benchmark (public domain): prose the model has never seen as such. */
export const NARRATIVE = [
  'The lighthouse stood at the end of a long grey pier.',
  'Every evening Martha climbed its hundred and twelve steps with a lantern in one hand.',
  'Her grandfather had kept the light before her, and his father before him.',
  'In the winter the wind came off the sea so hard that the windows rattled in their frames.',
  'She kept a logbook on the table by the stairs and wrote down every ship she saw.',
  'Most nights there were two or three fishing boats and, once a month, the mail steamer.',
  'The village below was small, with a bakery, a chapel and a pub called the Anchor.',
  'On Sundays the baker sent up a loaf of rye bread with his youngest son.',
  'The boy always asked whether he could see the great lens turn.',
  'Martha let him watch while she polished the brass until it shone like the sun.',
  '"Does it ever get lonely up here?" he asked one afternoon.',
  'She laughed and said that the gulls were better company than most people.',
  'In March a storm tore the roof off the boat shed and scattered the nets across the beach.',
  'The whole village came down the next morning to gather them up again.',
  'Old Peter, who had not spoken to anyone in years, brought a basket of apples for the helpers.',
  'By noon the nets were drying on the rocks and the children were chasing each other through the dunes.',
  'That summer a painter rented the cottage by the harbour.',
  'He set up his easel on the pier every morning and painted the same view again and again.',
  'Martha thought the pictures all looked alike, but she never told him so.',
  'In August the fog rolled in and stayed for nine days.',
  'The foghorn sounded every thirty seconds, and nobody in the village slept well.',
  'When the fog finally lifted, the painter packed his things and left on the mail steamer.',
  'He left one painting behind, propped against the door of the lighthouse.',
  'It showed the tower at dusk, with a small figure at the top holding a lantern.',
  'Martha hung it in the kitchen above the stove.',
  'In the autumn the baker\'s son started school in the town across the bay.',
  'He still came on Sundays, but now he brought his homework with him.',
  'Martha helped him with his spelling while the bread cooled on the windowsill.',
  'The years went by slowly, the way they do by the sea.',
  'When Martha grew too old to climb the stairs, the boy, now a grown man, took over the light.',
  'He kept the same logbook and wrote in it every evening, just as she had.',
  'On the first page he copied out the names of all the keepers who had come before him.',
  'Her name was the last one on the list, written in careful blue ink.',
  'Some evenings she still sat on the bench at the foot of the tower and watched the beam sweep across the water.',
  'The gulls circled overhead, and the boats came home one by one.',
  'It was, she said, the only view she had ever wanted.',
];

/** 30 sentences of NARRATIVE in story order, starting at a seeded offset (wrapping around) — held out. */
export function narrativeFillerSet(seed: number): string[] {
  const start = Math.floor(mulberry32(seed ^ 0x2c1b3c6d)() * NARRATIVE.length);
  return Array.from({ length: 30 }, (_, i) => NARRATIVE[(start + i) % NARRATIVE.length]);
}

/** Every padded variant of a question the held-out sets make: 30 sentences after and before it, per set. */
export function heldOutPadded(question: string, seeds: readonly number[] = [4, 5, 6, 7, 8]): { kind: string; text: string }[] {
  const out: { kind: string; text: string }[] = [];
  for (const seed of seeds) {
    for (const [kind, set] of [
      ['template', fillerSet(seed)],
      ['heldout_template', heldOutFillerSet(seed)],
      ['narrative', narrativeFillerSet(seed)],
    ] as const) {
      out.push({ kind: `${kind}_after`, text: `${question} ${set.join(' ')}` });
      out.push({ kind: `${kind}_before`, text: `${set.join(' ')} ${question}` });
    }
  }
  return out;
}
