/**
 * The `auto` router's view of a request: what kind of task it is and how much a premium model would gain on it.
 * Computed by ingress (microseconds, no network) and sent with the plan request; the router's decision blends it
 * with per-category priors and the catalog (decision to come with issue 12).
 */
export const CATEGORIES = ['chat', 'writing', 'code', 'math', 'reasoning', 'knowledge', 'extraction', 'tools'] as const;
export type Category = (typeof CATEGORIES)[number];

/** The parts of a (validated) OpenAI chat body the classifier reads; anything else is ignored. */
export interface ChatLike {
  messages?: unknown;
  tools?: unknown;
  response_format?: unknown;
  max_tokens?: unknown;
  max_completion_tokens?: unknown;
}

export interface Classification {
  category: Category;
  /** P(the premium model answers correctly where the cheap one fails). */
  pNeeded: number;
  /** P(the cheap model answers correctly where the premium one fails). */
  pHurts: number;
  /** How much a premium model would gain: `pNeeded − pHurts`, in [−1, 1]. The routing score. */
  gain: number;
  /**
   * The weights' deployed default threshold on `gain` (the `balanced` cut): at or above it the classifier would send
   * the request to the premium model. Chosen to keep ≥ 95% of premium quality on cross-validated scores.
   */
  threshold: number;
}

export interface RouterClassifier {
  /** The weights' feature version and training-data hash, for the explanation and the metrics. */
  readonly version: string;
  classify(body: ChatLike): Classification;
}
