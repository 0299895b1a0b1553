export * from './classification';
export { loadClassifier, LogisticRouterClassifier } from './classifier';
export { categorize } from './category';
export { DEFAULT_FEATURE_CONFIG, FEATURE_VERSION, FeatureScanner, READ_CAP } from './features';
export type { FeatureConfig, FeatureVector } from './features';
export type { ScanStats } from './scan-stats';
// Training and evaluation (tools/router): the same code the classifier serves with.
export * from './metrics';
export * from './model';
export * from './trainer';
export { mulberry32 } from './hash';
export * from './padding-benchmark';
export * from './weights-file';
