import type { FeatureVector } from './features';
import { DENSE_DIM, MATH_START, SIZE_DIM } from './features';

/**
 * One logistic head over a feature vector, with each feature group's share of the logit bounded:
 *
 *   logit = bias + clip(Σ_question w · s(#), ±tokenClip) + clip(Σ_context w · s(#), ±contextClip)
          + clip(size · v + c₁, ±sizeClip) + clip(markers · v + c₂, ±markerClip),     s(n) = min(1, √(floor / n))
 *
 * The hashed n-grams are de-duplicated (repeating filler adds nothing) and their sum is clipped; the SIZE group (length, counts, turns) can move the logit by at most `sizeClip`,
 * so a long prompt is never premium for being long. Training (trainer.ts) uses this same function.
 */
export interface ModelShape {
  /**
   * The n-gram sum is scaled by √(tokenNormFloor / n) once n exceeds the floor: a plain sum for prompts of usual
   * size (so neutral filler does not dilute the evidence of the rest), a growing discount for very long ones.
   */
  tokenNormFloor: number;
  tokenClip: number;
  /**
   * The bound on the context's n-grams (features that occur outside the question, see FeatureVector.region): summed
   * and scaled like the question's, then clipped to ±contextClip, so text around a question moves a logit by at most that.
   */
  contextClip: number;
  /**
   * How far the context may move a head towards the premium model (needed up, hurts down): far less than
   * `contextClip`, so text around a question can argue for the cheap model but hardly for the premium one.
   */
  contextSlack: number;
  sizeClip: number;
  markerClip: number;
  /** The MATH group's bound (only math prompts have one; centred on the training's math prompts). */
  mathClip: number;
}

export interface Head {
  /** +1 for the needed head, −1 for the hurts head: which way is "towards premium" (the context bound is one-sided). */
  sign: number;
  bias: number;
  /** One weight per hash bucket (2^hashBits). */
  hashed: Float32Array;
  dense: Float64Array;
  /**
   * Added to the SIZE and MARKER sums before they are clipped: the model trains on standardised dense features, and
   * folding the standardisation into `dense` leaves these constants (so the clip bounds the centred contribution).
   */
  sizeOffset: number;
  markerOffset: number;
  mathOffset: number;
}

/** The parts of a head's logit, for training (which parts were clipped) and for explaining a score. */
export interface LogitParts {
  tokens: number;
  context: number;
  contextClipped: boolean;
  size: number;
  markers: number;
  tokensClipped: boolean;
  sizeClipped: boolean;
  markersClipped: boolean;
  math: number;
  mathClipped: boolean;
  logit: number;
}

export function newHead(hashBits: number, sign = 1): Head {
  return { sign, bias: 0, hashed: new Float32Array(1 << hashBits), dense: new Float64Array(DENSE_DIM), sizeOffset: 0, markerOffset: 0, mathOffset: 0 };
}

export function tokenScale(count: number, shape: ModelShape): number {
  return count <= shape.tokenNormFloor ? 1 : Math.sqrt(shape.tokenNormFloor / count);
}

/** The part of a feature vector the model reads. */
export type ModelInput = Pick<FeatureVector, 'indices' | 'count' | 'region' | 'dense'>;

export function headLogit(head: Head, fv: ModelInput, shape: ModelShape, parts?: LogitParts): number {
  const idx = fv.indices;
  const reg = fv.region;
  const w = head.hashed;
  // Only n-grams the head has a weight for count towards the discount: unknown words carry no evidence and dilute
  // none (padding a prompt with words the model never learnt leaves its score alone).
  let t = 0;
  let known = 0;
  let u = 0;
  let knownU = 0;
  for (let i = 0; i < fv.count; i++) {
    const x = w[idx[i]];
    if (x !== 0) {
      if (reg[i] === 1) {
        t += x;
        known++;
      } else {
        u += x;
        knownU++;
      }
    }
  }
  t *= tokenScale(known, shape);
  u *= tokenScale(knownU, shape);
  const { size, markers, math } = denseSums(head, fv);
  const tc = clip(t, shape.tokenClip);
  const xc = clip(math, shape.mathClip);
  const uc = clipContext(u, head.sign, shape);
  const sc = clip(size, shape.sizeClip);
  const mc = clip(markers, shape.markerClip);
  const logit = head.bias + tc + uc + sc + mc + xc;
  if (parts) {
    parts.context = uc;
    parts.contextClipped = uc !== u;
    parts.tokens = tc;
    parts.size = sc;
    parts.markers = mc;
    parts.tokensClipped = tc !== t;
    parts.sizeClipped = sc !== size;
    parts.markersClipped = mc !== markers;
    parts.math = xc;
    parts.mathClipped = xc !== math;
    parts.logit = logit;
  }
  return logit;
}

export function sigmoid(x: number): number {
  return x >= 0 ? 1 / (1 + Math.exp(-x)) : Math.exp(x) / (1 + Math.exp(x));
}

function clip(x: number, bound: number): number {
  return x > bound ? bound : x < -bound ? -bound : x;
}

/**
 * Both heads' logits in one pass (what the classifier serves): the hashed weights interleaved
 * (`pair[2b]` = needed, `pair[2b + 1]` = hurts) so each bucket costs one cache line, not two. Same arithmetic as
 * `headLogit` for each head.
 */
export function interleave(needed: Head, hurts: Head): Float32Array {
  const pair = new Float32Array(needed.hashed.length * 2);
  for (let b = 0; b < needed.hashed.length; b++) {
    pair[2 * b] = needed.hashed[b];
    pair[2 * b + 1] = hurts.hashed[b];
  }
  return pair;
}

/**
 * Both heads' scaled n-gram sums into `out`: question (needed, hurts) in out[0], out[1], context in out[2], out[3].
 * Unknown n-grams (weight 0) add 0 and are not counted.
 */
export function pairTokens(pair: Float32Array, fv: ModelInput, shape: ModelShape, out: Float64Array): void {
  const idx = fv.indices;
  const reg = fv.region;
  let tn = 0;
  let th = 0;
  let un = 0;
  let uh = 0;
  let ktn = 0;
  let kth = 0;
  let kun = 0;
  let kuh = 0;
  for (let i = 0; i < fv.count; i++) {
    const b = idx[i] << 1;
    const xn = pair[b];
    const xh = pair[b + 1];
    if (reg[i] === 1) {
      tn += xn;
      th += xh;
      ktn += xn !== 0 ? 1 : 0;
      kth += xh !== 0 ? 1 : 0;
    } else {
      un += xn;
      uh += xh;
      kun += xn !== 0 ? 1 : 0;
      kuh += xh !== 0 ? 1 : 0;
    }
  }
  out[0] = tn * tokenScale(ktn, shape);
  out[1] = th * tokenScale(kth, shape);
  out[2] = un * tokenScale(kun, shape);
  out[3] = uh * tokenScale(kuh, shape);
}

/** A head's logit given its (scaled) question and context n-gram sums: the same arithmetic as `headLogit`. */
export function logitWithTokens(head: Head, fv: ModelInput, shape: ModelShape, t: number, u: number): number {
  return denseLogit(head, fv, shape, t) + clipContext(u, head.sign, shape);
}

/** The context sum bounded: at most `contextSlack` towards premium, at most `contextClip` towards cheap. */
function clipContext(u: number, sign: number, shape: ModelShape): number {
  const hi = sign > 0 ? shape.contextSlack : shape.contextClip;
  const lo = sign > 0 ? -shape.contextClip : -shape.contextSlack;
  return u > hi ? hi : u < lo ? lo : u;
}

/** The size group's and the marker group's contributions, each with its offset, before clipping. */
function denseSums(head: Head, fv: ModelInput): { size: number; markers: number; math: number } {
  const d = fv.dense;
  const v = head.dense;
  let size = head.sizeOffset;
  for (let j = 0; j < SIZE_DIM; j++) size += d[j] * v[j];
  let markers = head.markerOffset;
  for (let j = SIZE_DIM; j < MATH_START; j++) markers += d[j] * v[j];
  let math = 0;
  if (d[MATH_START] === 1) {
    math = head.mathOffset;
    for (let j = MATH_START + 1; j < DENSE_DIM; j++) math += d[j] * v[j];
  }
  return { size, markers, math };
}

function denseLogit(head: Head, fv: ModelInput, shape: ModelShape, t: number): number {
  const { size, markers, math } = denseSums(head, fv);
  return head.bias + clip(t, shape.tokenClip) + clip(size, shape.sizeClip) + clip(markers, shape.markerClip) + clip(math, shape.mathClip);
}
