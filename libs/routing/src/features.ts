import type { Category, ChatLike } from './classification';
import { categorize } from './category';
import { bucketHash, fmix32, fnvStep, FNV_OFFSET, pairHash } from './hash';
import { KEYPAIRS, KEYWORDS, Kw, kwCount } from './keywords';
import { KW_BITS, newStats, resetStats, type ScanStats } from './scan-stats';

/**
 * The classifier's view of a chat body: hashed, de-duplicated word uni/bigrams plus a few dense features, and the rule
 * based category, from one bounded linear scan.
 *
 * Bounded work: at most READ_CAP characters are read — the last user message first (head and tail if it is longer),
 * then the system prompt's head, then earlier turns' heads, newest first — and the loops over messages and content
 * parts are capped, so a 1 MB prompt costs what a 4 kB one does. Everything lives in buffers allocated once: a scan
 * allocates nothing that grows with the prompt. Not re-entrant: the returned vector is the scanner's own and is
 * overwritten by the next call (JavaScript is single-threaded; copy it to keep it).
 *
 * Bump FEATURE_VERSION whenever the scan, the hashing or the dense layout changes: weights are only valid for the
 * version they were trained with.
 */
export const FEATURE_VERSION = 'f2';
export const READ_CAP = 4096;
/** Of the last user message when it is longer than READ_CAP: its head, then its tail (questions often end a prompt). */
const HEAD_CAP = 3072;
const SYSTEM_CAP = 1024;
const EARLIER_CAP = 512;
const MAX_MESSAGES = 256;
const MAX_EARLIER = 16;
const MAX_PARTS = 32;
/** Distinct hashed features kept per request (4k characters yield at most ~4k tokens and bigrams). */
export const MAX_ACTIVE = 8192;
/**
 * Distinct number values and effort words tracked per request (a small open-addressing set): numbers beyond
 * MAX_NUMBER_VALUES only saturate their count, and the effort words are a short fixed list, so it never fills.
 */
const KEY_SET = 512;
const MAX_NUMBER_VALUES = 128;
/** Feature occurrences listed per segment (a 4k-character segment has fewer: ≤ 2 per token plus symbols). */
const LIST_CAP = 3 * READ_CAP;
/** Feature occurrences of the lettered options (and what follows them) kept for the question: options are short. */
const OPTIONS_CAP = 1024;

/** Dense layout. SIZE features (length, counts, turns) form one group whose share of the score the model clips. */
/**
 * Nothing that text without numbers can change: the question's distinct n-grams, distinct number values, sentences
 * with a number, turns, the longest number, numbers in the question. (Neither raw length nor the prompt's word or
 * sentence count is a feature: filler would buy them.)
 */
export const SIZE_FEATURES = ['question_ngrams', 'numbers', 'number_sentences', 'turns', 'max_digits', 'question_numbers'] as const;
const N_SIZE = SIZE_FEATURES.length;
export const MARKER_FEATURES = [
  'system',
  'assistant_turns',
  'code_fence',
  'code_score',
  'latex',
  'operators',
  'question_mark',
  'wh_start',
  'tools',
  'json_format',
  'max_tokens',
  'images',
  'script_cjk',
  'script_cyrillic',
  'script_other',
  'percent',
  'currency',
  'decimal',
  'fraction',
] as const;
/**
 * SIZE features, once. (No copy per answer form and no multiple-choice marker: in the training data the form names
 * the source — every multiple-choice row is MMLU, every open one GSM8K — so such features would carry the sources'
 * base rates, which the per-source intercepts are there to absorb, into every open prompt.)
 *
 * No model feature depends on the marker word lists or on the rule-based category: words like "prove" or "step by
 * step" cost nothing to add, so they may change the category (and the router's prior) but reach the learnt gain only
 * through their own n-gram weights, learnt from data.
 */
export const SIZE_DIM = N_SIZE;
/**
 * The MATH group, for word problems: all zero unless the prompt is open (no lettered options) and has at least two
 * distinct numbers; then a gate (1, no weight) and the problem's quantitative content — words and sentences of the
 * sentences that state a quantity (a number or a quantity word: two, dozen, twice, each, per…), operation words,
 * kinds of numbers (percent, currency, decimal, fraction), distinct numbers. Text without quantities adds nothing.
 * The model centres the group on the training rows where it is on (GSM8K), so it carries no base rate.
 */
export const MATH_FEATURES = ['math_gate', 'quantity_words', 'quantity_sentences', 'operation_words', 'number_kinds', 'distinct_numbers'] as const;
export const MATH_START = SIZE_DIM + MARKER_FEATURES.length;
export const DENSE_DIM = MATH_START + MATH_FEATURES.length;

export interface FeatureVector {
  /** Active hashed-feature buckets, de-duplicated: `indices[0..count)`. Each has value 1 (the model scales them). */
  indices: Int32Array;
  count: number;
  /**
   * Per active feature, 1 when it occurs in the request's *question*, 0 when only in its context (see `markRegion`):
   * the model scores the two groups separately and bounds the context's share.
   */
  region: Uint8Array;
  /** `dense[0..SIZE_DIM)` is the SIZE group, then the markers, then from MATH_START the MATH group; all in [0, 1]. */
  dense: Float64Array;
  category: Category;
  stats: ScanStats;
}

export interface FeatureConfig {
  /** log2 of the hashed table size. */
  hashBits: number;
  hashSeed: number;
}

export const DEFAULT_FEATURE_CONFIG: FeatureConfig = { hashBits: 16, hashSeed: 0x2545f491 };

const C_NL = 10;
const C_SPACE = 32;
const C_TAB = 9;
const SYMBOLS = '?=+*/^$\\{};<>%#`()[]:|&~@';
/** ASCII word characters → their lower-case code (letters, digits, `_`); 0 for delimiters. */
const WORD_CHAR = new Uint8Array(128);
for (let c = 48; c <= 57; c++) WORD_CHAR[c] = c;
for (let c = 97; c <= 122; c++) WORD_CHAR[c] = c;
for (let c = 65; c <= 90; c++) WORD_CHAR[c] = c + 32;
WORD_CHAR[95] = 95;
/** ASCII delimiters with markers of their own: 1 = also a symbol feature, 2 = counted only. */
const PUNCT = new Uint8Array(128);
for (let i = 0; i < SYMBOLS.length; i++) PUNCT[SYMBOLS.charCodeAt(i)] = 1;
for (const c of '.!-') PUNCT[c.charCodeAt(0)] = 2;
/** Namespaces that word hashes never reach (words never contain code units 1–3). */
const SYMBOL_NS = fnvStep(FNV_OFFSET, 1);
const NUMBER_NS = fnvStep(FNV_OFFSET, 2);
const EFFORT_SALT = 0x3c6ef372;

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

const logScale = (v: number, cap: number): number => Math.min(1, Math.log1p(v) / Math.log1p(cap));
/** log(v) mapped from [lo, hi] to [0, 1], clipped: spreads the usual range of a count over the whole interval. */
const logRange = (v: number, lo: number, hi: number): number => Math.min(1, Math.max(0, Math.log(Math.max(v, 1) / lo) / Math.log(hi / lo)));

/** A CJK ideograph, kana or hangul syllable: one token per character. */
function isCjk(c: number): boolean {
  return (c >= 0x3040 && c <= 0x30ff) || (c >= 0x3400 && c <= 0x9fff) || (c >= 0xac00 && c <= 0xd7af) || (c >= 0xf900 && c <= 0xfaff);
}

/** A math symbol outside ASCII: × ÷ π, arrows, the Mathematical Operators block, super/subscripts. */
function isMathSymbol(c: number): boolean {
  return c === 0xd7 || c === 0xf7 || c === 0x3c0 || (c >= 0x2190 && c <= 0x22ff) || (c >= 0x2070 && c <= 0x209f);
}

export class FeatureScanner {
  readonly config: FeatureConfig;
  private readonly mask: number;
  /**
   * Per bucket, the stamp (1–255) of the last request that used it: de-duplication in O(1), cleared by bumping the
   * stamp (and zeroed once every 255 requests). One byte a bucket keeps the table in cache.
   */
  private readonly bucketStamp: Uint8Array;
  /** Buckets some marker word or pair hashes to: only those words are looked up in the marker tables. */
  private readonly markerBuckets: Uint8Array;
  private readonly numKeys = new Int32Array(KEY_SET);
  private readonly numStamp = new Uint8Array(KEY_SET);
  private stamp = 0;
  private readonly out: FeatureVector;
  /** `out.count` at the last sentence end: a sentence counts only if it added a feature. */
  private sentenceMark = 0;
  // The previous token of the running segment (bigrams), kept unboxed: [hash, has-previous].
  private readonly prev = new Int32Array(2);
  // Segments (sentences and lines) for the question/context split. Per bucket, its position in `out.indices` (valid
  // while the bucket's stamp is current, read only for the segments that make the question). Each segment's
  // feature occurrences (buckets, repeats included) are listed as it is read; when it ends, the list is kept if the
  // segment may be the question: the last '?' one, the first instruction, the first, the last body segment (by
  // swapping buffers), and the options. A repeat costs one sequential write.
  private readonly posOf: Uint16Array;
  private segList = new Int32Array(LIST_CAP);
  private segLen = 0;
  private bodyList = new Int32Array(LIST_CAP);
  private bodyLen = 0;
  private readonly qList = new Int32Array(LIST_CAP);
  private qLen = 0;
  private readonly instrList = new Int32Array(LIST_CAP);
  private instrLen = 0;
  private readonly firstList = new Int32Array(LIST_CAP);
  private firstLen = 0;
  private readonly optList = new Int32Array(OPTIONS_CAP);
  private optLen = 0;
  /** Whether the running line starts with an option marker; whether the options are over. */
  private optLine = 0;
  private optDone = 0;
  /** Running segment id (segments without features are not counted); −1 values mean "none". */
  private seg = 0;
  /** Whether the running segment started with a question word, and the value for the last '?' and first segments. */
  private segWh = 0;
  private segWords = 0;
  /** Whether the running segment starts with an instruction word (find, write, translate, calculate…). */
  private segInstr = 0;
  /** Number tokens in the running segment; segments with one; number tokens in the question. */
  private segNums = 0;
  private numSegs = 0;
  /** Whether the running segment has a quantity word; segments with a number or one, and their words. */
  private segQty = 0;
  private qtySegs = 0;
  private qtyWords = 0;
  private qNums = 0;
  private instrSeg = -1;
  private regionCount = 0;
  private qSeg = -1;
  private qWh = 0;
  private firstWh = 0;
  private lastBodySeg = -1;
  /** Segment of the first lettered option, −1 before. */
  private optSeg = -1;
  /** 1 while the last user message is scanned (only it holds the question). */
  private inUser = 0;

  constructor(config: FeatureConfig = DEFAULT_FEATURE_CONFIG) {
    this.config = config;
    this.mask = (1 << config.hashBits) - 1;
    this.bucketStamp = new Uint8Array(1 << config.hashBits);
    this.posOf = new Uint16Array(1 << config.hashBits);
    this.markerBuckets = new Uint8Array(1 << config.hashBits);
    for (const h of KEYWORDS.hashes()) this.markerBuckets[bucketHash(h, config.hashSeed) & this.mask] |= 1;
    for (const h of KEYPAIRS.hashes()) this.markerBuckets[bucketHash(h, config.hashSeed) & this.mask] |= 2;
    this.out = { indices: new Int32Array(MAX_ACTIVE), count: 0, region: new Uint8Array(MAX_ACTIVE), dense: new Float64Array(DENSE_DIM), category: 'chat', stats: newStats() };
  }

  private reset(): void {
    resetStats(this.out.stats);
    this.out.count = 0;
    this.sentenceMark = 0;
    this.segLen = 0;
    this.seg = 0;
    this.bodyLen = this.qLen = this.instrLen = this.firstLen = this.optLen = this.optLine = this.optDone = 0;
    this.segWh = this.segWords = this.segInstr = this.segNums = this.numSegs = this.segQty = this.qtySegs = this.qtyWords = this.qNums = this.regionCount = 0;
    this.qSeg = this.lastBodySeg = this.optSeg = this.instrSeg = -1;
    this.qWh = this.firstWh = 0;
    this.inUser = 0;
    this.stamp = (this.stamp + 1) & 0xff;
    if (this.stamp === 0) {
      this.bucketStamp.fill(0);
      this.numStamp.fill(0);
      this.stamp = 1;
    }
  }

  extract(body: ChatLike): FeatureVector {
    const out = this.out;
    const s = out.stats;
    this.reset();

    const messages = Array.isArray(body.messages) ? (body.messages as unknown[]) : [];
    s.messages = messages.length;
    const first = Math.max(0, messages.length - MAX_MESSAGES);
    let lastUser = -1;
    let system = -1;
    for (let i = messages.length - 1; i >= first; i--) {
      const m = messages[i];
      if (!isRecord(m)) continue;
      s.totalChars += contentLength(m.content);
      const role = m.role;
      if (role === 'user' && lastUser < 0) lastUser = i;
      else if (role === 'system' || role === 'developer') {
        s.hasSystem = 1;
        system = i;
      } else if (role === 'assistant') {
        s.assistantTurns++;
        if (Array.isArray(m.tool_calls) && m.tool_calls.length > 0) s.toolTurns++;
      } else if (role === 'tool' || role === 'function') s.toolTurns++;
    }

    let budget = READ_CAP;
    if (lastUser >= 0) {
      this.inUser = 1;
      budget -= this.scanContent((messages[lastUser] as Record<string, unknown>).content, budget, true);
      this.endSegment(false);
      this.inUser = 0;
    }
    const userFeatures = out.count;
    if (system >= 0 && budget > 0) budget -= this.scanContent((messages[system] as Record<string, unknown>).content, Math.min(budget, SYSTEM_CAP), false);
    let visited = 0;
    const from = lastUser >= 0 ? lastUser - 1 : messages.length - 1;
    for (let i = from; i >= first && budget > 0 && visited < MAX_EARLIER; i--) {
      const m = messages[i];
      if (i === system || !isRecord(m)) continue;
      visited++;
      budget -= this.scanContent(m.content, Math.min(budget, EARLIER_CAP), false);
    }
    this.endSegment(false);
    s.readChars = READ_CAP - budget;
    this.markRegion(userFeatures);

    if (Array.isArray(body.tools)) s.tools = body.tools.length;
    const rf = body.response_format;
    if (isRecord(rf) && (rf.type === 'json_object' || rf.type === 'json_schema')) s.jsonFormat = 1;
    const mt = typeof body.max_completion_tokens === 'number' ? body.max_completion_tokens : body.max_tokens;
    if (typeof mt === 'number' && Number.isFinite(mt) && mt > 0) s.maxTokens = mt;

    out.category = categorize(s);
    this.fillDense(out);
    return out;
  }

  /** Scans a message's content (string or parts) within `cap` characters; returns the characters read. */
  private scanContent(content: unknown, cap: number, headAndTail: boolean): number {
    if (typeof content === 'string') return this.scanText(content, cap, headAndTail);
    if (!Array.isArray(content)) return 0;
    let read = 0;
    const n = Math.min(content.length, MAX_PARTS);
    for (let i = 0; i < n; i++) {
      const p = content[i];
      if (!isRecord(p)) continue;
      if (p.type === 'text' && typeof p.text === 'string') {
        if (read < cap) read += this.scanText(p.text, cap - read, headAndTail);
      } else if (p.type === 'image_url' || p.type === 'image' || p.type === 'input_image') this.out.stats.images++;
    }
    return read;
  }

  private scanText(text: string, cap: number, headAndTail: boolean): number {
    if (cap <= 0) return 0;
    if (text.length <= cap) {
      this.scanRange(text, 0, text.length);
      return text.length;
    }
    if (!headAndTail) {
      const end = wordCutBack(text, cap);
      this.scanRange(text, 0, end);
      return end;
    }
    // Cut at word boundaries, so the cut never makes up a word that is not in the text.
    const head = wordCutBack(text, Math.min(HEAD_CAP, Math.floor((cap * 3) / 4)));
    const tail = wordCutForward(text, text.length - (cap - head));
    this.scanRange(text, 0, head);
    this.scanRange(text, tail, text.length);
    return head + text.length - tail;
  }

  /**
   * The scan proper: one pass over text[from, to), the running token in locals (hashed as it grows), closed at each
   * delimiter. Bigrams do not cross segments.
   */
  private scanRange(text: string, from: number, to: number): void {
    const s = this.out.stats;
    this.prev[1] = 0;
    let tokHash = FNV_OFFSET;
    let tokLen = 0;
    let tokDigits = 0;
    let tokAtLineStart = 0;
    let atLineStart = 1;
    let lineIndent = 0;
    let backticks = 0;
    let letters = 0;
    for (let i = from; i <= to; i++) {
      let c = i < to ? text.charCodeAt(i) : C_NL;
      if (c < 0x80) {
        // ASCII fast path: a word character extends the token (lower-cased through the table).
        const w = WORD_CHAR[c];
        if (backticks !== 0 && c !== 96) {
          if (backticks >= 3) s.codeFences++;
          backticks = 0;
        }
        if (w !== 0) {
          if (tokLen === 0) {
            tokAtLineStart = atLineStart;
            if (atLineStart === 1 && lineIndent >= 4) s.indentedLines++;
            atLineStart = 0;
          }
          tokHash = Math.imul(tokHash ^ w, 0x01000193);
          tokLen++;
          if (w <= 57) tokDigits++;
          else letters++;
          continue;
        }
        if (c === 96) backticks++;
      } else if (backticks !== 0) {
        if (backticks >= 3) s.codeFences++;
        backticks = 0;
      }
      let kind = 0; // 1 letter (outside ASCII), 0 delimiter
      if (c < 0x80) {
        // an ASCII delimiter
      } else if (isCjk(c)) {
        if (tokLen > 0) this.endToken(tokHash, tokLen, tokDigits, tokAtLineStart, c);
        tokHash = FNV_OFFSET;
        tokLen = tokDigits = 0;
        s.cjk++;
        this.emitWord(fnvStep(FNV_OFFSET, c), false);
        atLineStart = 0;
        continue;
      } else if ((c >= 0xc0 && c <= 0x24f && c !== 0xd7 && c !== 0xf7) || (c >= 0x400 && c <= 0x52f)) {
        if ((c >= 0xc0 && c <= 0xde) || (c >= 0x410 && c <= 0x42f)) c += 32;
        if (c >= 0x400) s.cyrillic++;
        else letters++;
        kind = 1;
      } else if ((c >= 0x370 && c <= 0x3ff && c !== 0x3c0) || (c >= 0x530 && c <= 0x1fff)) {
        s.otherScript++;
        kind = 1;
      }
      if (kind !== 0) {
        if (tokLen === 0) {
          tokAtLineStart = atLineStart;
          if (atLineStart === 1 && lineIndent >= 4) s.indentedLines++;
          atLineStart = 0;
        }
        tokHash = fnvStep(tokHash, c);
        tokLen++;
        continue;
      }
      // A delimiter: close the token, then the character's own markers.
      if (tokLen > 0) {
        this.endToken(tokHash, tokLen, tokDigits, tokAtLineStart, c);
        tokHash = FNV_OFFSET;
        tokLen = tokDigits = 0;
      }
      if (c < 0x80) {
        if (c === C_NL) {
          atLineStart = 1;
          lineIndent = 0;
          this.prev[1] = 0;
          this.endSegment(false);
          // The options end with the first line after them that is no option ("Answer:"): later text is context.
          if (this.optSeg >= 0 && this.optLine === 0) this.optDone = 1;
          this.optLine = 0;
          if (i < to) s.lines++;
        } else if (c === C_SPACE || c === C_TAB) {
          if (atLineStart === 1) lineIndent += c === C_TAB ? 4 : 1;
        } else {
          atLineStart = 0;
          if (PUNCT[c] !== 0) this.punctuation(c, text, i, to);
        }
      } else {
        atLineStart = 0;
        if (isMathSymbol(c)) {
          s.mathSymbols++;
          this.emitSymbol(c);
        }
      }
    }
    s.letters += letters;
  }

  private punctuation(c: number, text: string, i: number, to: number): void {
    const s = this.out.stats;
    const next = i + 1 < to ? text.charCodeAt(i + 1) : 0;
    const prev = i > 0 ? text.charCodeAt(i - 1) : 0;
    const nextDigit = next >= 48 && next <= 57;
    const prevDigit = prev >= 48 && prev <= 57;
    switch (c) {
      case 46: // .
        if (prevDigit && nextDigit) s.decimals++;
        else if (next === C_SPACE || next === C_NL || next === 0) this.sentenceEnd(false);
        break;
      case 33: // !
        this.sentenceEnd(false);
        break;
      case 63: // ?
        // The symbol belongs to its sentence. A '?' right before a closing quote is reported speech, not the user's
        // question: it ends a sentence but no question.
        this.emitSymbol(c);
        this.sentenceEnd(!(next === 34 || next === 39 || next === 0x201d || next === 0x2019 || next === 0xbb));
        s.questionMarks++;
        return;
      case 47: // /
        if (prevDigit && nextDigit) s.fractions++;
        else if (next === 47) s.codeOps++;
        break;
      case 37: // %
        s.percents++;
        break;
      case 36: // $
        if (nextDigit) s.currency++;
        else if (next === 36 || next === 92) s.latex++;
        break;
      case 92: // \
        if ((next >= 97 && next <= 122) || (next >= 65 && next <= 90)) s.latex++;
        break;
      case 123:
      case 125:
        s.braces++;
        break;
      case 59: // ; at a line end, or before a space after a non-letter (`);`, `0;`): not prose's "word; word"
        if (next === C_NL || next === 0 || (next === C_SPACE && !((prev >= 97 && prev <= 122) || (prev >= 65 && prev <= 90)))) s.semicolons++;
        break;
      case 61: // =
        if (next === 61 || next === 62 || prev === 33) s.codeOps++;
        else s.operators++;
        break;
      case 43:
      case 42:
      case 94:
        s.operators++;
        break;
      case 45: // -
        if (next === 62) s.codeOps++;
        else if (nextDigit && (prevDigit || prev === C_SPACE)) s.operators++;
        break;
      case 38: // &
        if (next === 38) s.codeOps++;
        break;
      case 124: // |
        if (next === 124) s.codeOps++;
        break;
      case 58: // :
        if (next === 58) s.codeOps++;
        break;
    }
    if (PUNCT[c] === 1) this.emitSymbol(c);
  }

  /** A sentence ends: bigrams do not cross it, and it counts if it brought a new n-gram. */
  private sentenceEnd(question: boolean): void {
    this.prev[1] = 0;
    this.endSegment(question);
    if (this.out.count > this.sentenceMark) {
      this.out.stats.sentences++;
      this.sentenceMark = this.out.count;
    }
  }

  /** Closes a token at delimiter `c`: a number (its shape is the feature, its value counted) or a word. */
  private endToken(hash: number, len: number, digits: number, atLineStart: number, c: number): void {
    const s = this.out.stats;
    if (digits === len) {
      s.numbers++;
      if (len > s.maxDigits) s.maxDigits = len;
      // Distinct values share the set with the buckets, in a key range buckets never reach.
      if (s.distinctNumbers < MAX_NUMBER_VALUES && this.newKey(hash)) s.distinctNumbers++;
      this.emitWord(fnvStep(NUMBER_NS, len < 5 ? len : 5), true);
    } else {
      if (atLineStart === 1 && len === 1 && digits === 0 && (c === 46 || c === 41)) {
        s.mcOptions++;
        this.optLine = 1;
        if (this.inUser === 1 && this.optSeg < 0) {
          // The options start here: close the body segment before this marker.
          this.endSegment(false);
          this.optSeg = this.seg;
        }
      }
      this.emitWord(hash, false);
    }
  }

  /** Adds a word (or number shape) token: its unigram, its bigram with the previous token, and its marker kinds. */
  private emitWord(h: number, isNumber: boolean): void {
    const s = this.out.stats;
    const prev = this.prev;
    s.words++;
    const seed = this.config.hashSeed;
    const bucket = bucketHash(h, seed) & this.mask;
    const kinds = !isNumber && (this.markerBuckets[bucket] & 1) !== 0 ? KEYWORDS.get(h) : 0;
    if (this.segWords++ === 0) {
      if ((kinds & Kw.Question) !== 0) this.segWh = 1;
      if ((kinds & Kw.Instruction) !== 0) this.segInstr = 1;
    }
    if (isNumber) this.segNums++;
    else if ((kinds & Kw.Quantity) !== 0) this.segQty = 1;
    if ((kinds & Kw.Effort) !== 0) {
      // Words about effort or difficulty ("think step by step", "prove rigorously") cost nothing to add: they reach
      // the category rules but are never model evidence — no n-gram, and the bigram chain restarts after them.
      if (this.newKey(h ^ EFFORT_SALT)) this.countKinds(kinds & ~(Kw.Question | Kw.Effort));
      prev[1] = 0;
      return;
    }
    if (this.addFeature(bucket)) {
      s.distinctWords++;
      // Marker words count once per distinct word.
      if (kinds !== 0) this.countKinds(kinds & ~Kw.Question);
    }
    if (prev[1] === 1) {
      const ph = pairHash(prev[0], h);
      const pb = bucketHash(ph, seed) & this.mask;
      if (this.addFeature(pb) && (this.markerBuckets[pb] & 2) !== 0) {
        const pk = KEYPAIRS.get(ph);
        if (pk !== 0) this.countKinds(pk);
      }
    }
    prev[0] = h;
    prev[1] = 1;
  }

  private emitSymbol(c: number): void {
    this.addFeature(bucketHash(fnvStep(SYMBOL_NS, c), this.config.hashSeed) & this.mask);
  }

  private countKinds(kinds: number): void {
    const kw = this.out.stats.kw;
    for (let b = 0; b < KW_BITS; b++) if (kinds & (1 << b)) kw[b]++;
  }

  /** Adds a bucket (false when already active) and records its occurrence in the running segment. */
  private addFeature(bucket: number): boolean {
    const out = this.out;
    let added = false;
    if (this.bucketStamp[bucket] !== this.stamp) {
      if (out.count >= MAX_ACTIVE) return false;
      this.bucketStamp[bucket] = this.stamp;
      this.posOf[bucket] = out.count;
      out.indices[out.count++] = bucket;
      added = true;
    }
    if (this.segLen < LIST_CAP) this.segList[this.segLen++] = bucket;
    return added;
  }

  /**
   * Closes the running segment (a sentence or a line) and counts it (sentences with a number or a quantity). In the
   * last user message, before the lettered options, it is a body segment: its occurrence list is kept as the last '?'
   * segment's when it ends with a question mark, as the first instruction's, as the first segment's, and (swapped)
   * as the last body segment's; within the options it is appended to theirs.
   */
  private endSegment(question: boolean): void {
    if (this.segLen === 0) {
      this.segWords = this.segWh = this.segInstr = this.segNums = this.segQty = 0;
      return;
    }
    const seg = this.seg;
    if (this.segNums > 0) this.numSegs++;
    if (this.segNums > 0 || this.segQty === 1) {
      this.qtySegs++;
      this.qtyWords += this.segWords;
    }
    if (this.inUser === 1 && this.optSeg >= 0) {
      if (this.optDone === 0 && this.optLen < OPTIONS_CAP) this.optLen = copyList(this.segList, this.segLen, this.optList, this.optLen);
    } else if (this.inUser === 1) {
      const list = this.segList;
      this.lastBodySeg = seg;
      if (question) {
        this.qLen = copyList(list, this.segLen, this.qList, 0);
        this.qSeg = seg;
        this.qWh = this.segWh;
        this.qNums = this.segNums;
      } else if (this.segInstr === 1 && this.instrSeg < 0) {
        // The first sentence that opens with an instruction word ("Translate…", "Find…").
        this.instrLen = copyList(list, this.segLen, this.instrList, 0);
        this.instrSeg = seg;
      }
      if (seg === 0) {
        this.firstWh = this.segWh;
        this.firstLen = copyList(list, this.segLen, this.firstList, 0);
      }
      // The last body segment so far: swap the buffers (the running segment starts on the old one).
      this.segList = this.bodyList;
      this.bodyList = list;
      this.bodyLen = this.segLen;
    }
    this.seg = seg + 1;
    this.segLen = 0;
    this.segWords = this.segWh = this.segInstr = this.segNums = this.segQty = 0;
  }

  /** Marks the listed buckets' features as the question's. */
  private mark(list: Int32Array, len: number): void {
    const region = this.out.region;
    for (let i = 0; i < len; i++) {
      const p = this.posOf[list[i]];
      if (region[p] === 0) {
        region[p] = 1;
        this.regionCount++;
      }
    }
  }

  /**
   * Splits the active features into the question (region 1) and its context (0). The question is the last user
   * message's last sentence ending with '?' before any lettered options — without one, its first sentence opening
   * with an instruction word; without that, its first and its last sentence before the options — plus the options
   * and the line after them. Everything else (other sentences, the system prompt, earlier turns) is context.
   * `whStart`: the question (or the first sentence) starts with a question word.
   */
  private markRegion(userFeatures: number): void {
    const out = this.out;
    const region = out.region;
    region.fill(0, 0, out.count);
    this.regionCount = 0;
    if (userFeatures > 0) {
      if (this.qSeg >= 0) this.mark(this.qList, this.qLen);
      else if (this.instrSeg >= 0) this.mark(this.instrList, this.instrLen);
      else {
        this.mark(this.firstList, this.firstLen);
        this.mark(this.bodyList, this.bodyLen);
      }
      if (this.optSeg >= 0 && out.stats.mcOptions >= 2) this.mark(this.optList, this.optLen);
    }
    out.stats.whStart = this.qSeg >= 0 ? this.qWh : this.firstWh;
  }

  /** Whether a number's value or an effort word (by hash) is new in this request. */
  private newKey(hash: number): boolean {
    const mask = KEY_SET - 1;
    const stamp = this.stamp;
    let slot = fmix32(hash) & mask;
    for (;;) {
      if (this.numStamp[slot] !== stamp) {
        this.numStamp[slot] = stamp;
        this.numKeys[slot] = hash;
        return true;
      }
      if (this.numKeys[slot] === hash) return false;
      slot = (slot + 1) & mask;
    }
  }

  /** Writes the dense features in place (no allocation): the order is SIZE_FEATURES', then MARKER_FEATURES'. */
  private fillDense(out: FeatureVector): void {
    const s = out.stats;
    const d = out.dense;
    d.fill(0);
    d[0] = logRange(this.regionCount, 4, 256);
    d[1] = logScale(s.distinctNumbers, 16);
    d[2] = logScale(this.numSegs, 16);
    d[3] = logScale(Math.max(0, s.messages - 1), 32);
    d[4] = Math.min(s.maxDigits, 6) / 6;
    d[5] = logScale(this.qNums, 8);
    const letters = s.letters + s.cjk + s.cyrillic + s.otherScript;
    const codeScore = 2 * Math.min(s.codeFences, 4) + (Math.min(s.braces, 8) + Math.min(s.semicolons, 8) + Math.min(s.codeOps, 8) + Math.min(s.indentedLines, 8)) / 2;
    let m = SIZE_DIM;
    d[m++] = s.hasSystem;
    d[m++] = s.assistantTurns > 0 ? 1 : 0;
    d[m++] = s.codeFences > 0 ? 1 : 0;
    d[m++] = logScale(codeScore, 16);
    d[m++] = s.latex > 0 ? 1 : 0;
    d[m++] = logScale(s.operators + s.mathSymbols, 16);
    d[m++] = this.qSeg >= 0 ? 1 : 0;
    d[m++] = s.whStart;
    d[m++] = s.tools > 0 || s.toolTurns > 0 ? 1 : 0;
    d[m++] = s.jsonFormat;
    d[m++] = s.maxTokens > 0 ? logScale(s.maxTokens, 32768) : 0;
    d[m++] = s.images > 0 ? 1 : 0;
    d[m++] = letters > 0 ? s.cjk / letters : 0;
    d[m++] = letters > 0 ? s.cyrillic / letters : 0;
    d[m++] = letters > 0 ? s.otherScript / letters : 0;
    d[m++] = s.percents > 0 ? 1 : 0;
    d[m++] = s.currency > 0 ? 1 : 0;
    d[m++] = s.decimals > 0 ? 1 : 0;
    d[m++] = s.fractions > 0 ? 1 : 0;
    // The gate: an open prompt (no lettered options) with at least two distinct numbers — a word problem.
    if (s.distinctNumbers >= 2 && s.mcOptions < 2) {
      d[m++] = 1;
      d[m++] = logRange(this.qtyWords, 8, 256);
      d[m++] = logScale(this.qtySegs, 16);
      d[m++] = logScale(kwCount(s.kw, Kw.Math), 8);
      d[m++] = ((s.percents > 0 ? 1 : 0) + (s.currency > 0 ? 1 : 0) + (s.decimals > 0 ? 1 : 0) + (s.fractions > 0 ? 1 : 0)) / 4;
      d[m++] = logScale(s.distinctNumbers, 16);
    }
  }

}

/** Appends from[0, n) to `to` at `at` (as much as fits); returns the new length. No allocation. */
function copyList(from: Int32Array, n: number, to: Int32Array, at: number): number {
  const end = Math.min(at + n, to.length);
  for (let i = at; i < end; i++) to[i] = from[i - at];
  return end;
}

const WORD_CUT_SEARCH = 32;
const isBlank = (c: number) => c === C_SPACE || c === C_NL || c === C_TAB || c === 13;

/** `at`, moved back (at most WORD_CUT_SEARCH) to just after a blank, so text[0, result) ends on a whole word. */
function wordCutBack(text: string, at: number): number {
  for (let i = at; i > at - WORD_CUT_SEARCH && i > 0; i--) if (isBlank(text.charCodeAt(i - 1))) return i;
  return at;
}

/** `at`, moved forward (at most WORD_CUT_SEARCH) past a blank, so text[result, …) starts with a whole word. */
function wordCutForward(text: string, at: number): number {
  for (let i = at; i < at + WORD_CUT_SEARCH && i < text.length; i++) if (isBlank(text.charCodeAt(i))) return i + 1;
  return at;
}

/** Characters of a message's content without reading it (text parts summed, at most MAX_PARTS of them). */
function contentLength(content: unknown): number {
  if (typeof content === 'string') return content.length;
  if (!Array.isArray(content)) return 0;
  let n = 0;
  const parts = Math.min(content.length, MAX_PARTS);
  for (let i = 0; i < parts; i++) {
    const p = content[i];
    if (isRecord(p) && typeof p.text === 'string') n += p.text.length;
  }
  return n;
}
