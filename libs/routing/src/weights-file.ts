import { DENSE_DIM } from './features';
import type { Head, ModelShape } from './model';
import { newHead } from './model';

/**
 * The committed weights (weights.json), written by `npm run router:train`. Hashed weights are sparse: only buckets
 * with a non-zero weight in either head are stored, as ascending bucket indices delta-encoded (`index`), with both
 * heads' weights quantised to integers of `scale` (`needed`, `hurts`) — small enough to commit and to diff.
 */
export const WEIGHTS_FORMAT = 1;
const DENSE_DIGITS = 1e6;

export interface WeightsFile {
  format: number;
  /** `<featureVersion>-<first 12 hex of the training data's SHA-256>`: the classifier's `version`. */
  version: string;
  featureVersion: string;
  hashBits: number;
  hashSeed: number;
  trainingData: { file: string; sha256: string; rows: number };
  seeds: { shuffle: number; hash: number };
  hyperparameters: Record<string, unknown>;
  shape: ModelShape;
  /** The deployed default threshold on `gain`: ≥ 95% of premium quality kept on the cross-validated scores. */
  threshold: number;
  metrics: Record<string, unknown>;
  heads: { needed: DenseHead; hurts: DenseHead };
  hashed: { scale: number; index: number[]; needed: number[]; hurts: number[] };
}

export interface DenseHead {
  bias: number;
  sizeOffset: number;
  markerOffset: number;
  mathOffset: number;
  dense: number[];
}

export type WeightsMeta = Omit<WeightsFile, 'format' | 'heads' | 'hashed'>;

export function encodeWeights(needed: Head, hurts: Head, meta: WeightsMeta, scale = 1e-3): WeightsFile {
  const index: number[] = [];
  const qn: number[] = [];
  const qh: number[] = [];
  let last = 0;
  for (let b = 0; b < needed.hashed.length; b++) {
    const a = Math.round(needed.hashed[b] / scale);
    const c = Math.round(hurts.hashed[b] / scale);
    if (a === 0 && c === 0) continue;
    index.push(b - last);
    last = b;
    qn.push(a);
    qh.push(c);
  }
  const dense = (h: Head): DenseHead => ({ bias: round(h.bias), sizeOffset: round(h.sizeOffset), markerOffset: round(h.markerOffset), mathOffset: round(h.mathOffset), dense: Array.from(h.dense, round) });
  return { format: WEIGHTS_FORMAT, ...meta, heads: { needed: dense(needed), hurts: dense(hurts) }, hashed: { scale, index, needed: qn, hurts: qh } };
}

export function decodeHeads(file: WeightsFile): { needed: Head; hurts: Head } {
  if (file.format !== WEIGHTS_FORMAT) throw new Error(`routing weights: format ${file.format}, expected ${WEIGHTS_FORMAT}`);
  for (const k of ['tokenNormFloor', 'tokenClip', 'contextClip', 'contextSlack', 'sizeClip', 'markerClip', 'mathClip'] as const) {
    if (typeof file.shape?.[k] !== 'number') throw new Error(`routing weights: shape.${k} missing (retrain with npm run router:train)`);
  }
  const needed = newHead(file.hashBits, 1);
  const hurts = newHead(file.hashBits, -1);
  for (const [head, src] of [
    [needed, file.heads.needed],
    [hurts, file.heads.hurts],
  ] as const) {
    if (src.dense.length !== DENSE_DIM) throw new Error(`routing weights: ${src.dense.length} dense weights, the features have ${DENSE_DIM}`);
    head.bias = src.bias;
    head.sizeOffset = src.sizeOffset;
    head.markerOffset = src.markerOffset;
    head.mathOffset = src.mathOffset;
    head.dense.set(src.dense);
  }
  const { scale, index, needed: qn, hurts: qh } = file.hashed;
  let b = 0;
  for (let i = 0; i < index.length; i++) {
    b += index[i];
    needed.hashed[b] = qn[i] * scale;
    hurts.hashed[b] = qh[i] * scale;
  }
  return { needed, hurts };
}

/** JSON with two-space indentation but arrays of numbers on one line (the weight arrays stay a few lines). */
export function stringifyWeights(file: WeightsFile): string {
  const walk = (v: unknown, indent: string): string => {
    if (Array.isArray(v)) {
      if (v.every((x) => typeof x === 'number')) return `[${v.join(',')}]`;
      return `[\n${v.map((x) => `${indent}  ${walk(x, `${indent}  `)}`).join(',\n')}\n${indent}]`;
    }
    if (v !== null && typeof v === 'object') {
      const entries = Object.entries(v).filter(([, x]) => x !== undefined);
      if (entries.length === 0) return '{}';
      return `{\n${entries.map(([k, x]) => `${indent}  ${JSON.stringify(k)}: ${walk(x, `${indent}  `)}`).join(',\n')}\n${indent}}`;
    }
    return JSON.stringify(v);
  };
  return `${walk(file, '')}\n`;
}

function round(x: number): number {
  return Math.round(x * DENSE_DIGITS) / DENSE_DIGITS;
}
