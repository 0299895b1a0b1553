import { LogisticRouterClassifier } from '@tokenflow/routing';
import type { LoadedRow } from './dataset';
import { FOLDS } from './dataset';
import type { FitConfig } from './fit';
import { featurize, fit, toWeights } from './fit';

export interface CvResult {
  /** Held-out gain of each row (NaN for rows outside the evaluated folds). */
  scores: Float64Array;
  /** classify() time of each scored row, µs. */
  micros: number[];
  selected: unknown[];
  /** The last fold's classifier (for timing synthetic prompts). */
  last?: LogisticRouterClassifier;
}

/**
 * K-fold cross-validation by id hash (`key % 5`): for each fold in `folds`, fit on the rows of the other folds in
 * `folds` (parameters picked by CV inside those rows only), serialise to a weights file like the committed one, load
 * it in the serving classifier and score the held-out rows through `classify()`. Rows whose fold is not in `folds`
 * are neither trained on nor scored.
 */
export function crossValidate(rows: readonly LoadedRow[], config: FitConfig, folds: readonly number[] = [0, 1, 2, 3, 4]): CvResult {
  const fold = (r: LoadedRow) => r.key % FOLDS;
  const inUse = rows.map((r) => folds.includes(fold(r)));
  const features = featurize(rows, config);
  const scores = new Float64Array(rows.length).fill(NaN);
  const micros: number[] = [];
  const selected: unknown[] = [];
  let last: LogisticRouterClassifier | undefined;
  for (const k of folds) {
    const train = features.filter((_, i) => inUse[i] && fold(rows[i]) !== k);
    const fitted = fit(train, config);
    selected.push(fitted.selected);
    const weights = JSON.parse(JSON.stringify(toWeights(fitted, config, { file: 'cv', sha256: '0'.repeat(64), rows: train.length }, { threshold: 0, metrics: {} })));
    const clf = new LogisticRouterClassifier(weights);
    last = clf;
    const held = rows.map((r, i) => i).filter((i) => inUse[i] && fold(rows[i]) === k);
    for (const i of held) clf.classify(rows[i].body); // warm-up
    for (const i of held) {
      const t0 = performance.now();
      const c = clf.classify(rows[i].body);
      micros.push((performance.now() - t0) * 1000);
      scores[i] = c.gain;
    }
  }
  return { scores, micros, selected, last };
}
