import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { LogisticRouterClassifier } from './classifier';
import { FeatureScanner, FEATURE_VERSION } from './features';
import { mulberry32 } from './hash';
import type { ModelShape } from './model';
import type { TrainParams, TrainRow } from './trainer';
import { trainHead } from './trainer';
import type { WeightsMeta } from './weights-file';
import { decodeHeads, encodeWeights, stringifyWeights } from './weights-file';

const SHAPE: ModelShape = { tokenNormFloor: 16, tokenClip: 3, contextClip: 1, contextSlack: 1, sizeClip: 0.25, markerClip: 1.5, mathClip: 0.5 };
const PARAMS: TrainParams = { epochs: 4, alpha: 0.2, beta: 1, l1: 0.1, l2: 1, alphaDense: 0.02, l1Dense: 0, l2Dense: 10, minDf: 1, seed: 7 };

/** "hard" prompts need the premium model, "easy" ones do not. */
function dataset(): TrainRow[] {
  const scanner = new FeatureScanner();
  const rand = mulberry32(1);
  const rows: TrainRow[] = [];
  for (let i = 0; i < 400; i++) {
    const hard = rand() < 0.5;
    const text = `${hard ? 'derive the eigenvalues' : 'name the colour'} of item ${i % 17} please`;
    const fv = scanner.extract({ messages: [{ role: 'user', content: text }] });
    rows.push({ key: i, indices: fv.indices.slice(0, fv.count), count: fv.count, region: fv.region.slice(0, fv.count), dense: fv.dense.slice(), needed: hard ? 1 : 0, hurts: !hard && rand() < 0.2 ? 1 : 0, group: i % 2 });
  }
  return rows;
}

const META: WeightsMeta = {
  version: `${FEATURE_VERSION}-000000000000`,
  featureVersion: FEATURE_VERSION,
  hashBits: 16,
  hashSeed: 0x2545f491,
  trainingData: { file: 'synthetic', sha256: '0'.repeat(64), rows: 400 },
  seeds: { shuffle: 7, hash: 0x2545f491 },
  hyperparameters: {},
  shape: SHAPE,
  threshold: 0,
  metrics: {},
};

describe('trainHead (FTRL logistic regression)', () => {
  it('is deterministic: same rows and seed, byte-identical weights file', () => {
    const rows = dataset();
    const file = () => stringifyWeights(encodeWeights(trainHead(rows, 'needed', PARAMS, SHAPE, 16), trainHead(rows, 'hurts', PARAMS, SHAPE, 16), META));
    assert.equal(file(), file());
  });

  it('learns a separable signal, and the served classifier scores with it after a round trip through JSON', () => {
    const rows = dataset();
    const weights = JSON.parse(stringifyWeights(encodeWeights(trainHead(rows, 'needed', PARAMS, SHAPE, 16), trainHead(rows, 'hurts', PARAMS, SHAPE, 16), META)));
    const heads = decodeHeads(weights);
    assert.ok(heads.needed.hashed.some((w) => w !== 0));
    const clf = new LogisticRouterClassifier(weights);
    const hard = clf.classify({ messages: [{ role: 'user', content: 'derive the eigenvalues of item 99 please' }] });
    const easy = clf.classify({ messages: [{ role: 'user', content: 'name the colour of item 99 please' }] });
    assert.ok(hard.pNeeded > 0.8 && easy.pNeeded < 0.2, `${hard.pNeeded} / ${easy.pNeeded}`);
    assert.ok(hard.gain > easy.gain);
  });

  it('refuses weights of another feature version', () => {
    assert.throws(() => new LogisticRouterClassifier({ ...encodeWeights(trainHead(dataset(), 'needed', PARAMS, SHAPE, 16), trainHead(dataset(), 'hurts', PARAMS, SHAPE, 16), META), featureVersion: 'f0' }), /trained on features f0/);
  });
});
