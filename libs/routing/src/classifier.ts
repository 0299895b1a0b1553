import type { ChatLike, Classification, RouterClassifier } from './classification';
import { FEATURE_VERSION, FeatureScanner } from './features';
import type { Head, ModelShape } from './model';
import { interleave, logitWithTokens, pairTokens, sigmoid } from './model';
import type { WeightsFile } from './weights-file';
import { decodeHeads } from './weights-file';
import committed from './weights.json';

/**
 * The `auto` router's classifier: one feature scan, two logistic heads — P(premium needed), P(premium hurts) — and
 * `gain = pNeeded − pHurts`, the expected quality a premium model adds. No I/O and no allocation that grows with the
 * prompt; a few microseconds per call.
 */
export class LogisticRouterClassifier implements RouterClassifier {
  readonly version: string;
  /** The deployed default threshold on `gain` (≥ 95% of premium quality kept on cross-validated scores). */
  readonly threshold: number;
  private readonly scanner: FeatureScanner;
  private readonly needed: Head;
  private readonly hurts: Head;
  private readonly shape: ModelShape;
  private readonly pair: Float32Array;
  private readonly tokens = new Float64Array(4);

  constructor(weights: WeightsFile) {
    if (weights.featureVersion !== FEATURE_VERSION) {
      throw new Error(`routing weights were trained on features ${weights.featureVersion}, this code computes ${FEATURE_VERSION}: run npm run router:train`);
    }
    this.version = weights.version;
    this.threshold = weights.threshold;
    this.shape = weights.shape;
    this.scanner = new FeatureScanner({ hashBits: weights.hashBits, hashSeed: weights.hashSeed });
    ({ needed: this.needed, hurts: this.hurts } = decodeHeads(weights));
    this.pair = interleave(this.needed, this.hurts);
  }

  classify(body: ChatLike): Classification {
    const fv = this.scanner.extract(body);
    const t = this.tokens;
    pairTokens(this.pair, fv, this.shape, t);
    const pNeeded = sigmoid(logitWithTokens(this.needed, fv, this.shape, t[0], t[2]));
    const pHurts = sigmoid(logitWithTokens(this.hurts, fv, this.shape, t[1], t[3]));
    return { category: fv.category, pNeeded, pHurts, gain: pNeeded - pHurts, threshold: this.threshold };
  }
}

let loaded: LogisticRouterClassifier | undefined;

/** The classifier with the committed weights (weights.json), built once per process. */
export function loadClassifier(): LogisticRouterClassifier {
  loaded ??= new LogisticRouterClassifier(committed as unknown as WeightsFile);
  return loaded;
}
