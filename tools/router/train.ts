/**
 * `npm run router:train [-- --data FILE.jsonl] [--out FILE.json]`
 *
 * Trains the `auto` router's classifier from ../shared/data/routing/train.jsonl (only that file) and writes
 * libs/routing/src/weights.json. Deterministic: the same data gives a byte-identical file (seeded shuffles, fixed
 * epochs, no timestamps). Steps:
 *   1. 5-fold cross-validation by id hash with the same recipe (parameters picked by inner CV inside each training
 *      part), scoring held-out rows through the serving classifier: the reported metrics and the default threshold
 *      (the cut with the largest cost save keeping ≥ 95% of premium quality on those held-out scores).
 *   2. The same recipe on all rows: the committed weights.
 */
import type { ScoredRow } from '@tokenflow/routing';
import { bestAtQuality, stringifyWeights } from '@tokenflow/routing';
import { writeFileSync } from 'node:fs';
import { basename } from 'node:path';
import { crossValidate } from './cv';
import { DEFAULT_DATA, loadRows, parseArgs, WEIGHTS_PATH } from './dataset';
import { featurize, fit, FIT_CONFIG, toWeights } from './fit';
import { baselines, bySource, metrics } from './report';

function main(): void {
  const args = parseArgs(process.argv.slice(2));
  const file = typeof args.get('data') === 'string' ? (args.get('data') as string) : DEFAULT_DATA;
  const outFile = typeof args.get('out') === 'string' ? (args.get('out') as string) : WEIGHTS_PATH;
  const { rows, sha256 } = loadRows(file);
  const log = (m: string) => process.stderr.write(`${m}\n`);
  log(`router:train: ${rows.length} rows from ${file} (sha256 ${sha256.slice(0, 12)}…)`);

  const cv = crossValidate(rows, FIT_CONFIG);
  const scored: ScoredRow[] = rows.map((r, i) => ({ score: cv.scores[i], cheapQuality: r.cheap_quality, premiumQuality: r.premium_quality, cheapCost: r.cheapCost, premiumCost: r.premiumCost }));
  const threshold = Math.round(bestAtQuality(scored, 0.95).threshold * 1e6) / 1e6;
  const cvMetrics: Record<string, unknown> = {};
  for (const [name, idx] of bySource(rows)) {
    const rs = idx.map((i) => rows[i]);
    cvMetrics[name] = { ...metrics(rs, idx.map((i) => cv.scores[i]), threshold), baselines: baselines(rs) };
  }
  log(`router:train: 5-fold CV ${JSON.stringify(cvMetrics.all)}`);

  const fitted = fit(featurize(rows, FIT_CONFIG), FIT_CONFIG);
  const weights = toWeights(fitted, FIT_CONFIG, { file: basename(file), sha256, rows: rows.length }, {
    threshold,
    metrics: { protocol: '5-fold CV by SHA-256(id) % 5, held-out scores from the serving classifier', cvSelected: cv.selected, ...cvMetrics },
  });
  const text = stringifyWeights(weights);
  writeFileSync(outFile, text);
  log(`router:train: wrote ${outFile} (${(text.length / 1024).toFixed(0)} KB, ${weights.hashed.index.length} hashed weights, threshold ${threshold})`);
}

main();
