import type { FeatureVector } from './features';
import { DENSE_DIM, SIZE_DIM } from './features';

/**
 * One logistic head over a feature vector, with each feature group's share of the logit bounded:
 *
 *   logit = bias + clip(Σ w[bucket] · min(1, √(floor / #buckets)), ±tokenClip) + clip(size · v + c₁, ±sizeClip) + clip(markers · v + c₂, ±markerClip)
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
  sizeClip: number;
  markerClip: number;
}

export interface Head {
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
}

/** The parts of a head's logit, for training (which parts were clipped) and for explaining a score. */
export interface LogitParts {
  tokens: number;
  size: number;
  markers: number;
  tokensClipped: boolean;
  sizeClipped: boolean;
  markersClipped: boolean;
  logit: number;
}

export function newHead(hashBits: number): Head {
  return { bias: 0, hashed: new Float32Array(1 << hashBits), dense: new Float64Array(DENSE_DIM), sizeOffset: 0, markerOffset: 0 };
}

export function tokenScale(count: number, shape: ModelShape): number {
  return count <= shape.tokenNormFloor ? 1 : Math.sqrt(shape.tokenNormFloor / count);
}

/** The part of a feature vector the model reads. */
export type ModelInput = Pick<FeatureVector, 'indices' | 'count' | 'dense'>;

export function headLogit(head: Head, fv: ModelInput, shape: ModelShape, parts?: LogitParts): number {
  const idx = fv.indices;
  const w = head.hashed;
  // Only n-grams the head has a weight for count towards the discount: unknown words carry no evidence and dilute
  // none (padding a prompt with words the model never learnt leaves its score alone).
  let t = 0;
  let known = 0;
  for (let i = 0; i < fv.count; i++) {
    const x = w[idx[i]];
    if (x !== 0) {
      t += x;
      known++;
    }
  }
  t *= tokenScale(known, shape);
  const { size, markers } = denseSums(head, fv);
  const tc = clip(t, shape.tokenClip);
  const sc = clip(size, shape.sizeClip);
  const mc = clip(markers, shape.markerClip);
  const logit = head.bias + tc + sc + mc;
  if (parts) {
    parts.tokens = tc;
    parts.size = sc;
    parts.markers = mc;
    parts.tokensClipped = tc !== t;
    parts.sizeClipped = sc !== size;
    parts.markersClipped = mc !== markers;
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

/** Both heads' scaled n-gram sums (needed, hurts) into out[0], out[1]. */
export function pairTokens(pair: Float32Array, fv: ModelInput, shape: ModelShape, out: Float64Array): void {
  const idx = fv.indices;
  let tn = 0;
  let th = 0;
  let kn = 0;
  let kh = 0;
  for (let i = 0; i < fv.count; i++) {
    const b = idx[i] << 1;
    const xn = pair[b];
    const xh = pair[b + 1];
    if (xn !== 0) {
      tn += xn;
      kn++;
    }
    if (xh !== 0) {
      th += xh;
      kh++;
    }
  }
  out[0] = tn * tokenScale(kn, shape);
  out[1] = th * tokenScale(kh, shape);
}

/** A head's logit given its (scaled) n-gram sum: the same arithmetic as `headLogit`. */
export function logitWithTokens(head: Head, fv: ModelInput, shape: ModelShape, t: number): number {
  return denseLogit(head, fv, shape, t);
}

/** The size group's and the marker group's contributions, each with its offset, before clipping. */
function denseSums(head: Head, fv: ModelInput): { size: number; markers: number } {
  const d = fv.dense;
  const v = head.dense;
  let size = head.sizeOffset;
  for (let j = 0; j < SIZE_DIM; j++) size += d[j] * v[j];
  let markers = head.markerOffset;
  for (let j = SIZE_DIM; j < DENSE_DIM; j++) markers += d[j] * v[j];
  return { size, markers };
}

function denseLogit(head: Head, fv: ModelInput, shape: ModelShape, t: number): number {
  const { size, markers } = denseSums(head, fv);
  return head.bias + clip(t, shape.tokenClip) + clip(size, shape.sizeClip) + clip(markers, shape.markerClip);
}
