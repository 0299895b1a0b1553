import { DENSE_DIM, MATH_START, SIZE_DIM } from './features';
import { mulberry32 } from './hash';
import type { Head, LogitParts, ModelInput, ModelShape } from './model';
import { headLogit, newHead, sigmoid, tokenScale } from './model';

/**
 * Logistic regression trained with FTRL-Proximal (per-coordinate adaptive rates, L1 + L2; McMahan et al. 2013):
 * sparse weights for the hashed n-grams, deterministic for a given row order and seed (seeded shuffles, a fixed
 * number of epochs, float64 arithmetic in a fixed order). The forward pass is the serving code's `headLogit`, so the
 * clipped groups train exactly as they score: a group whose sum is clipped gets no gradient for that row.
 */
export interface TrainRow extends ModelInput {
  /** 32-bit hash of the row id: the outer fold is `key % 5`, inner folds use `⌊key / 5⌋`. */
  key: number;
  needed: number;
  hurts: number;
  /**
   * The row's source data set (0, 1, …). Each source gets its own intercept while training, so a data set's base
   * rate (math word problems need the premium model more often than multiple-choice questions) is not learnt as a
   * property of free-form prompts; the served intercept is the row-weighted mean of the sources' intercepts.
   */
  group: number;
}

export interface TrainParams {
  epochs: number;
  alpha: number;
  beta: number;
  l1: number;
  l2: number;
  /** The dense features' own rate and penalties (few, standardised, correlated: no sparsity, more shrinkage). */
  alphaDense: number;
  l1Dense: number;
  l2Dense: number;
  /** Hash buckets seen in fewer training rows than this stay at zero (noise and file size). */
  minDf: number;
  seed: number;
}

export type HeadName = 'needed' | 'hurts';

export function trainHead(input: readonly TrainRow[], head: HeadName, params: TrainParams, shape: ModelShape, hashBits: number): Head {
  const size = 1 << hashBits;
  const { mean, scale } = denseStats(input);
  // Standardised; the MATH group only where its gate is on (elsewhere it stays zero), the gate itself as it is.
  const rows = input.map((r) => ({ ...r, dense: r.dense.map((x, j) => (j < MATH_START ? (x - mean[j]) / scale[j] : j === MATH_START || r.dense[MATH_START] !== 1 ? x : (x - mean[j]) / scale[j])) }));
  const df = new Int32Array(size);
  for (const r of rows) for (let i = 0; i < r.count; i++) df[r.indices[i]]++;
  const zh = new Float64Array(size);
  const nh = new Float64Array(size);
  const zd = new Float64Array(DENSE_DIM);
  const nd = new Float64Array(DENSE_DIM);
  const groups = 1 + Math.max(0, ...input.map((r) => r.group));
  const zb = new Float64Array(groups);
  const nb = new Float64Array(groups);
  const groupRows = new Float64Array(groups);
  for (const r of input) groupRows[r.group]++;
  const biasOf = (k: number) => (nb[k] === 0 ? 0 : -zb[k] / ((beta + Math.sqrt(nb[k])) / alpha));
  const { alpha, beta, l1, l2, minDf } = params;
  const ftrlWeight = (z: number, n: number, a: number, l1: number, l2: number): number => (Math.abs(z) <= l1 ? 0 : -(z - Math.sign(z) * l1) / ((beta + Math.sqrt(n)) / a + l2));
  const weight = (z: number, n: number): number => ftrlWeight(z, n, alpha, l1, l2);
  const weightDense = (z: number, n: number): number => ftrlWeight(z, n, params.alphaDense, params.l1Dense, params.l2Dense);
  const ftrlUpdate = (z: Float64Array, n: Float64Array, i: number, g: number, w: number, a: number): void => {
    const n2 = n[i] + g * g;
    z[i] += g - ((Math.sqrt(n2) - Math.sqrt(n[i])) / a) * w;
    n[i] = n2;
  };
  const update = (z: Float64Array, n: Float64Array, i: number, g: number, w: number) => ftrlUpdate(z, n, i, g, w, alpha);

  const model = newHead(hashBits, head === 'needed' ? 1 : -1);
  const parts: LogitParts = { tokens: 0, context: 0, contextClipped: false, math: 0, mathClipped: false, size: 0, markers: 0, tokensClipped: false, sizeClipped: false, markersClipped: false, logit: 0 };
  const order = Array.from(rows.keys());
  const rand = mulberry32(params.seed);
  for (let epoch = 0; epoch < params.epochs; epoch++) {
    shuffle(order, rand);
    for (const ri of order) {
      const r = rows[ri];
      for (let i = 0; i < r.count; i++) {
        const b = r.indices[i];
        model.hashed[b] = df[b] >= minDf ? weight(zh[b], nh[b]) : 0;
      }
      for (let j = 0; j < DENSE_DIM; j++) model.dense[j] = weightDense(zd[j], nd[j]);
      const k = r.group;
      model.bias = biasOf(k);
      const p = sigmoid(headLogit(model, r, shape, parts));
      const g = p - r[head];
      // Bias: unregularised.
      const nb2 = nb[k] + g * g;
      zb[k] += g - ((Math.sqrt(nb2) - Math.sqrt(nb[k])) / alpha) * model.bias;
      nb[k] = nb2;
      if (!parts.tokensClipped || !parts.contextClipped) {
        let known = 0;
        let knownU = 0;
        for (let i = 0; i < r.count; i++) {
          if (model.hashed[r.indices[i]] === 0) continue;
          if (r.region[i] === 1) known++;
          else knownU++;
        }
        const gq = parts.tokensClipped ? 0 : g * tokenScale(known, shape);
        const gu = parts.contextClipped ? 0 : g * tokenScale(knownU, shape);
        for (let i = 0; i < r.count; i++) {
          const b = r.indices[i];
          const gs = r.region[i] === 1 ? gq : gu;
          if (gs !== 0 && df[b] >= minDf) update(zh, nh, b, gs, model.hashed[b]);
        }
      }
      for (let j = 0; j < DENSE_DIM; j++) {
        const x = r.dense[j];
        if (x === 0 || j === MATH_START) continue;
        const clipped = j < SIZE_DIM ? parts.sizeClipped : j < MATH_START ? parts.markersClipped : parts.mathClipped;
        if (!clipped) ftrlUpdate(zd, nd, j, g * x, model.dense[j], params.alphaDense);
      }
    }
  }
  for (let b = 0; b < size; b++) model.hashed[b] = df[b] >= minDf && nh[b] > 0 ? weight(zh[b], nh[b]) : 0;
  for (let j = 0; j < DENSE_DIM; j++) model.dense[j] = weightDense(zd[j], nd[j]);
  model.bias = 0;
  for (let k = 0; k < groups; k++) model.bias += (biasOf(k) * groupRows[k]) / Math.max(1, input.length);
  // Fold the standardisation into the served weights: v·(x − μ)/σ = (v/σ)·x − Σ v·μ/σ, per group.
  for (let j = 0; j < DENSE_DIM; j++) {
    const v = model.dense[j];
    model.dense[j] = v / scale[j];
    if (j < SIZE_DIM) model.sizeOffset -= (v * mean[j]) / scale[j];
    else if (j < MATH_START) model.markerOffset -= (v * mean[j]) / scale[j];
    else model.mathOffset -= (v * mean[j]) / scale[j];
  }
  return model;
}

/** Per dense feature, the training mean and standard deviation (1 for a constant feature, so it stays inert). */
export function denseStats(rows: readonly TrainRow[]): { mean: Float64Array; scale: Float64Array } {
  // The MATH group's statistics are over the rows where its gate is on (its gate slot: mean 0, scale 1).
  const mean = new Float64Array(DENSE_DIM);
  const scale = new Float64Array(DENSE_DIM);
  const counts = new Float64Array(DENSE_DIM);
  const use = (r: TrainRow, j: number) => j < MATH_START || (j > MATH_START && r.dense[MATH_START] === 1);
  for (const r of rows) {
    for (let j = 0; j < DENSE_DIM; j++) {
      if (!use(r, j)) continue;
      mean[j] += r.dense[j];
      counts[j]++;
    }
  }
  for (let j = 0; j < DENSE_DIM; j++) mean[j] /= Math.max(1, counts[j]);
  for (const r of rows) for (let j = 0; j < DENSE_DIM; j++) if (use(r, j)) scale[j] += (r.dense[j] - mean[j]) ** 2;
  for (let j = 0; j < DENSE_DIM; j++) {
    const sd = Math.sqrt(scale[j] / Math.max(1, counts[j]));
    scale[j] = sd > 1e-6 ? sd : 1;
  }
  return { mean, scale };
}

/** Mean log-loss of a head on rows. */
export function logLoss(model: Head, rows: readonly TrainRow[], head: HeadName, shape: ModelShape): number {
  let sum = 0;
  for (const r of rows) {
    const p = Math.min(1 - 1e-9, Math.max(1e-9, sigmoid(headLogit(model, r, shape))));
    sum -= r[head] === 1 ? Math.log(p) : Math.log(1 - p);
  }
  return rows.length > 0 ? sum / rows.length : 0;
}

export interface Selection {
  params: TrainParams;
  /** Mean inner-CV log-loss of each grid point, in grid order. */
  losses: number[];
}

/**
 * Picks a head's parameters from `grid` by `folds`-fold cross-validation inside `rows` (inner folds by `⌊key / 5⌋`,
 * so they never depend on the outer split): the lowest mean held-out log-loss wins, the earlier grid point on ties.
 */
export function selectParams(rows: readonly TrainRow[], head: HeadName, grid: readonly TrainParams[], shape: ModelShape, hashBits: number, folds = 4): Selection {
  const fold = (r: TrainRow) => Math.floor(r.key / 5) % folds;
  const losses = grid.map((params) => {
    let total = 0;
    for (let f = 0; f < folds; f++) {
      const train = rows.filter((r) => fold(r) !== f);
      const test = rows.filter((r) => fold(r) === f);
      total += logLoss(trainHead(train, head, params, shape, hashBits), test, head, shape) * test.length;
    }
    return total / rows.length;
  });
  let best = 0;
  for (let i = 1; i < losses.length; i++) if (losses[i] < losses[best]) best = i;
  return { params: grid[best], losses };
}

function shuffle<T>(a: T[], rand: () => number): void {
  for (let i = a.length - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    const t = a[i];
    a[i] = a[j];
    a[j] = t;
  }
}
