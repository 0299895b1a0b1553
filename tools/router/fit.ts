import type { Head, ModelShape, TrainParams, TrainRow, WeightsFile, WeightsMeta } from '@tokenflow/routing';
import { DEFAULT_FEATURE_CONFIG, encodeWeights, FEATURE_VERSION, FeatureScanner, selectParams, trainHead } from '@tokenflow/routing';
import type { LoadedRow } from './dataset';

/** Everything that decides the weights besides the data. Changing any of it changes the weights file. */
export interface FitConfig {
  hashBits: number;
  hashSeed: number;
  shape: ModelShape;
  /** Each head picks its parameters from this grid by inner cross-validation on its training rows. */
  grid: TrainParams[];
  innerFolds: number;
}

const BASE: TrainParams = { epochs: 8, alpha: 0.1, beta: 1, l1: 3, l2: 1, alphaDense: 0.02, l1Dense: 0, l2Dense: 100, minDf: 3, seed: 20240612 };

export const FIT_CONFIG: FitConfig = {
  hashBits: DEFAULT_FEATURE_CONFIG.hashBits,
  hashSeed: DEFAULT_FEATURE_CONFIG.hashSeed,
  // Bounds, chosen on development folds 0–3 with the padding benchmark (padding-benchmark.ts): n-gram sums are plain
  // up to 32 known n-grams and discounted as √(32/n) beyond; the question's n-grams move a logit by at most ±3, the
  // context's by at most 0.25 towards cheap and 0 towards premium; SIZE ±0.1; the MATH group (word problems) ±0.5.
  shape: { tokenNormFloor: 32, tokenClip: 3, contextClip: 0.25, contextSlack: 0, sizeClip: 0.1, markerClip: 1.5, mathClip: 0.5 },
  // n-gram L2 × dense L2; each head picks its own point by inner CV. L1 = 3 on the n-grams is fixed: it keeps the
  // weights file at a few hundred KB (L1 = 1 doubles it for no measurable gain).
  grid: [1, 10, 100].flatMap((l2) => [10, 100].map((l2Dense) => ({ ...BASE, l2, l2Dense }))),
  innerFolds: 4,
};

export function featurize(rows: readonly LoadedRow[], config: FitConfig): TrainRow[] {
  const sources = [...new Set(rows.map((r) => r.source))].sort();
  const scanner = new FeatureScanner({ hashBits: config.hashBits, hashSeed: config.hashSeed });
  return rows.map((r) => {
    const fv = scanner.extract(r.body);
    return {
      key: r.key,
      indices: fv.indices.slice(0, fv.count),
      count: fv.count,
      region: fv.region.slice(0, fv.count),
      dense: fv.dense.slice(),
      needed: r.premium_quality > r.cheap_quality ? 1 : 0,
      hurts: r.cheap_quality > r.premium_quality ? 1 : 0,
      group: sources.indexOf(r.source),
    };
  });
}

export interface Fitted {
  needed: Head;
  hurts: Head;
  selected: { needed: TrainParams; hurts: TrainParams };
  innerLoss: { needed: number[]; hurts: number[] };
}

/** Picks each head's parameters by inner CV on `rows`, then trains both heads on all of `rows`. */
export function fit(rows: readonly TrainRow[], config: FitConfig): Fitted {
  const pick = (head: 'needed' | 'hurts') =>
    config.grid.length === 1 ? { params: config.grid[0], losses: [] } : selectParams(rows, head, config.grid, config.shape, config.hashBits, config.innerFolds);
  const sn = pick('needed');
  const sh = pick('hurts');
  return {
    needed: trainHead(rows, 'needed', sn.params, config.shape, config.hashBits),
    hurts: trainHead(rows, 'hurts', sh.params, config.shape, config.hashBits),
    selected: { needed: sn.params, hurts: sh.params },
    innerLoss: { needed: sn.losses, hurts: sh.losses },
  };
}

export function toWeights(f: Fitted, config: FitConfig, data: { file: string; sha256: string; rows: number }, extra: { threshold: number; metrics: Record<string, unknown> }): WeightsFile {
  const meta: WeightsMeta = {
    version: `${FEATURE_VERSION}-${data.sha256.slice(0, 12)}`,
    featureVersion: FEATURE_VERSION,
    hashBits: config.hashBits,
    hashSeed: config.hashSeed,
    trainingData: data,
    seeds: { shuffle: config.grid[0].seed, hash: config.hashSeed },
    hyperparameters: {
      optimizer: 'FTRL-Proximal (per-coordinate adaptive, L1 + L2), logistic loss, unweighted classes',
      selection: `per head, lowest mean log-loss over ${config.innerFolds}-fold CV inside the training rows`,
      grid: config.grid,
      selected: f.selected,
      innerLogLoss: f.innerLoss,
    },
    shape: config.shape,
    threshold: extra.threshold,
    metrics: extra.metrics,
  };
  return encodeWeights(f.needed, f.hurts, meta);
}
