import type { CompletionPlan } from '../completion/completion-plan';
import type { ErrorDialect } from '../providers/error-dialect';
import type { SseEncoding, SseFrame } from '../stream/sse-frame';
import type { ChatRequest } from './chat-request';

export interface ChatRenderOptions {
  /** False under `usage=none`: no usage anywhere. */
  includeUsage: boolean;
  /** The client asked for usage in the stream (`stream_options.include_usage`). */
  usageRequested: boolean;
}

/**
 * What sets one OpenAI-compatible provider's Chat Completions apart from OpenAI's: its errors, extra request
 * checks, and how a plan is rendered (envelope fields, usage shape and placement, stream quirks). The request
 * flow, content and token counts are shared (`ChatCompletionsService`).
 */
export interface ChatFlavor {
  readonly errors: ErrorDialect;
  /** With a `keepAlive`, the provider idles with it while the first token is pending (blank lines before a plain body). */
  readonly sse: SseEncoding;
  /** Checks the provider makes beyond the shared schema; throws its 400. */
  check?(request: ChatRequest): void;
  /** Whether the answer starts with reasoning tokens; by default reasoning model names do. */
  reasons?(request: ChatRequest, model: string): boolean;
  completion(plan: CompletionPlan, options: ChatRenderOptions): unknown;
  frames(plan: CompletionPlan, options: ChatRenderOptions): SseFrame[];
}
