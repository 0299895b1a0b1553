import type { TfError, TokenUsage } from '@tokenflow/contracts';

/**
 * How one API presents the pipeline's result. The pipeline always reads the same frames (OpenAI chunks, then usage
 * or an error) from the adapter; a format turns them into that API's SSE events, or folds them into its one JSON
 * body. OpenAI chat, legacy completions, embeddings and Anthropic messages are formats; the pipeline is shared.
 */
export interface ResponseFormat {
  /** The client asked for SSE. */
  readonly streaming: boolean;
  /** The model that answers (a fallback may not be the one asked for), told before the first chunk. */
  served?(model: string): void;
  /** SSE: the frames for one upstream chunk (possibly none). */
  chunk(data: Record<string, unknown>): string;
  /** SSE: the closing frames once usage is known; `costUsd` as our cost comment, when priced. */
  end(usage: TokenUsage | null, costUsd: string | null): string;
  /** SSE: a failure after the 200 went out travels as an event. */
  error(err: TfError): string;
  /** Whole: one upstream chunk folded in. */
  add(data: Record<string, unknown>): void;
  /** Whole: the response body. */
  result(usage: TokenUsage | null): Record<string, unknown>;
}
