import { fmix32, fnvString, pairHash } from './hash';

/**
 * Marker words the scan looks up by token hash (no substring is ever built). Each word carries one or more kinds;
 * the scan counts each kind once per distinct word, so repeating a word adds nothing. The lists feed both the rule
 * based category (category.ts) and a few dense features; the model learns its own weights from the hashed n-grams.
 */
export const enum Kw {
  Code = 1,
  Math = 2,
  Proof = 4,
  Reasoning = 8,
  Writing = 16,
  Extraction = 32,
  Chat = 64,
  Question = 128,
  /** Instructions about effort or difficulty: never model evidence (see features.ts). */
  Effort = 256,
  /** Words that open an instruction ("Find…", "Translate…"): such a sentence is the request's question (features.ts). */
  Instruction = 512,
  /** Quantity words (two, dozen, twice, each, per, remaining…): a sentence with one states a quantity (features.ts). */
  Quantity = 1024,
}

const WORDS: [Kw, string][] = [
  [
    Kw.Code,
    'code coding function functions python javascript typescript java golang rust kotlin swift cpp csharp sql regex ' +
      'bug bugs debug compile compiler stacktrace traceback exception api endpoint implement implementation refactor ' +
      'def import const async await println console printf npm pip git html css ' +
      'dockerfile kubernetes bash unittest struct enum boolean int str null undefined lambda ' +
      'repository repo snippet syntax runtime backend frontend react django flask query queries',
  ],
  [
    Kw.Math,
    'total each sum product average median percent percentage ratio fraction calculate compute solve equation ' +
      'equations integral derivative probability remainder divisible polynomial matrix multiply divide twice half ' +
      'triple quarter dollars cents cost costs price per altogether remaining sqrt integer integers log factor ' +
      'digits geometry triangle angle area perimeter volume radius algebra arithmetic',
  ],
  [Kw.Proof, 'prove proof proofs lemma theorem rigorous rigorously induction contradiction qed corollary axiom'],
  [
    Kw.Reasoning,
    'why reasoning reason deduce infer logic logical puzzle riddle justify implies therefore hypothesis argument ' +
      'conclude analyze analyse tradeoffs compare evaluate think',
  ],
  [
    Kw.Writing,
    'write rewrite essay story poem letter email draft blog article paragraph tone compose edit proofread ' +
      'paraphrase translate slogan lyrics song narrative creative outline headline tagline speech',
  ],
  [
    Kw.Extraction,
    'extract extraction parse json csv yaml table fields classify categorize label entities summarize summary ' +
      'tldr bullet bullets keywords',
  ],
  [Kw.Chat, 'hi hello hey thanks thank bye goodbye lol haha morning cheers'],
  [
    Kw.Effort,
    'think thinking thought step steps carefully careful rigorous rigorously rigor prove justify verify reasoning reason ' +
      'analyze analyse thoroughly thorough expert olympiad formally derive meticulous meticulously logical logically ' +
      'deduction deduce difficult hard chain deep deeply',
  ],
  [
    Kw.Instruction,
    'find calculate compute solve determine evaluate simplify estimate translate write rewrite summarize summarise list ' +
      'name give explain describe define identify choose select classify convert show prove implement create make ' +
      'generate draft compose suggest recommend tell answer complete fill sort fix refactor debug design outline compare ' +
      'analyze analyse please',
  ],
  [
    Kw.Quantity,
    'one two three four five six seven eight nine ten eleven twelve fifteen twenty thirty forty fifty sixty hundred ' +
      'thousand million twice half dozen double triple quarter third times each per every more less fewer total ' +
      'remaining rest',
  ],
  [
    Kw.Question,
    'what who whom whose when where which how is are can could does do did should would will define explain describe',
  ],
];

/** Two-word markers (looked up by the bigram's hash). */
const PAIRS: [Kw, string][] = [
  [
    Kw.Code,
    // Phrases of words that are no programming words alone (a pair with one would count that word twice).
    'linked list|binary search|binary tree|hash map|hash table|unit test|unit tests|stack trace|pull request|time complexity|' +
      'big o|sorting algorithm|data structure|data structures',
  ],
  [Kw.Math, 'how many|how much|in total|how long|how old|how far|per hour|per day|per week|times as|more than|less than'],
  [Kw.Reasoning, 'step by|think through|pros and|trade off'],
  [Kw.Extraction, 'list all|key points|find all|pull out'],
  [Kw.Chat, 'are you|how are|good morning|good night'],
  [Kw.Writing, 'cover letter|blog post|short story'],
];

/**
 * Hash → kinds as an open-addressing table over typed arrays: a lookup is a few integer operations, no boxing of the
 * 32-bit hash (a Map keyed by numbers outside the small-integer range boxes them on every call).
 */
export class KindTable {
  private readonly keys: Int32Array;
  private readonly kinds: Uint16Array;
  private readonly mask: number;

  constructor(entries: Iterable<[number, number]>, bits = 10) {
    this.keys = new Int32Array(1 << bits);
    this.kinds = new Uint16Array(1 << bits);
    this.mask = (1 << bits) - 1;
    for (const [h, k] of entries) {
      let slot = fmix32(h) & this.mask;
      while (this.kinds[slot] !== 0 && this.keys[slot] !== h) slot = (slot + 1) & this.mask;
      this.keys[slot] = h;
      this.kinds[slot] |= k;
    }
  }

  /** Every hash in the table. */
  hashes(): number[] {
    const out: number[] = [];
    for (let i = 0; i < this.keys.length; i++) if (this.kinds[i] !== 0) out.push(this.keys[i]);
    return out;
  }

  /** The kinds of hash `h` (0 when it is no marker). */
  get(h: number): number {
    let slot = fmix32(h) & this.mask;
    for (;;) {
      const k = this.kinds[slot];
      if (k === 0) return 0;
      if (this.keys[slot] === h) return k;
      slot = (slot + 1) & this.mask;
    }
  }
}

function build(): { words: [number, number][]; pairs: [number, number][] } {
  const words: [number, number][] = [];
  for (const [kind, list] of WORDS) for (const w of list.split(' ')) words.push([fnvString(w), kind]);
  const pairs: [number, number][] = [];
  for (const [kind, list] of PAIRS) {
    for (const p of list.split('|')) {
      const [a, b] = p.split(' ');
      pairs.push([pairHash(fnvString(a), fnvString(b)), kind]);
    }
  }
  return { words, pairs };
}

const TABLES = build();
/** Token hash (FNV-1a of the lower-case word) → kinds. */
export const KEYWORDS = new KindTable(TABLES.words);
/** Bigram hash (`pairHash` of the two token hashes) → kinds. */
export const KEYPAIRS = new KindTable(TABLES.pairs, 8);

/** Distinct marker words of one kind, from the scan's per-kind counters (indexed by the kind's bit). */
export function kwCount(kw: Int32Array, kind: Kw): number {
  return kw[31 - Math.clz32(kind)];
}
