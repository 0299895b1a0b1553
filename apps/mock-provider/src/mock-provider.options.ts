export const MOCK_PROVIDER_OPTIONS = Symbol('MOCK_PROVIDER_OPTIONS');

/** App-wide defaults that the `ttft=` and `tps=` directives override per request, and the seed of scripted failures. */
export interface MockProviderOptions {
  ttftMs: number;
  /** Tokens per second; 0 means as fast as possible. */
  tps: number;
  /** Seeds the `fail-rate=` draws, so a run replays the same failures. */
  seed: number;
}
