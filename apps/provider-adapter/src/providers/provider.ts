import type { Attempt, Provider, TfError, TokenUsage } from '@tokenflow/contracts';

export interface UpstreamHttpRequest {
  url: string;
  headers: Record<string, string>;
  body: string;
}

/** What one upstream SSE event means, in OpenAI terms. */
export interface ParsedEvent {
  /** OpenAI chunks to forward (`chat.completion.chunk`, or `text_completion` for legacy completions), without usage. */
  chunks: Record<string, unknown>[];
  /** Normalised usage (OpenAI shape, cached input and reasoning tokens in the `*_details`), once known. */
  usage?: TokenUsage;
  /** The upstream said the stream is complete. */
  done?: boolean;
  /**
   * When `chunks` are a re-shaped subset of what the upstream generated (legacy completions through chat drop the
   * reasoning-only chunks the client cannot be shown): the chunks as generated. The stream's tally bills and counts
   * these instead of `chunks`, so output the client never sees is still billed, and a stream that produced any is
   * not retried as if nothing happened. Absent: `chunks` are what was generated.
   */
  generated?: Record<string, unknown>[];
}

/**
 * Decodes one attempt's upstream stream. A new decoder per attempt: some providers spread what one OpenAI chunk
 * says over several events (Anthropic: the message id in message_start, tool-call indices per content block,
 * usage split between message_start and message_delta).
 */
export interface StreamDecoder {
  decode(data: string, event: string | undefined): ParsedEvent;
}

/** Chat Completions: the upstream is always asked to stream; both client modes are served from the stream. */
export interface ChatCapability {
  buildRequest(attempt: Attempt, body: Record<string, unknown>): UpstreamHttpRequest;
  createDecoder(): StreamDecoder;
}

/** Embeddings: one JSON request, one JSON response. */
export interface EmbeddingsCapability {
  buildRequest(attempt: Attempt, body: Record<string, unknown>): UpstreamHttpRequest;
  /** The upstream's 2xx body → OpenAI's `list` of embeddings (model not yet set) and its usage. */
  parseResponse(text: string): { response: Record<string, unknown>; usage: TokenUsage };
}

/** Legacy Completions (`/v1/completions`), streamed like chat. */
export interface CompletionsCapability {
  buildRequest(attempt: Attempt, body: Record<string, unknown>): UpstreamHttpRequest;
  createDecoder(): StreamDecoder;
  /**
   * Whether the provider's completions endpoint serves this upstream model (absent: every model). A model it does
   * not serve gets legacy completions through its chat API instead (`completions-via-chat.ts`, decision 0024).
   */
  serves?(upstreamModel: string): boolean;
}

/**
 * One upstream provider's wire format, in its own folder (Portkey's layout): `provider.json` (its catalog card: name,
 * default base URL, key variable, model aliases) and `index.ts` exporting `provider: ProviderAdapter` — endpoint and
 * headers, request transform, stream-chunk transform, usage extraction and error mapping per capability.
 * OpenAI-compatible ones are a few lines over `openai-base`; Anthropic and Zhipu translate for real. The model is
 * `attempt.upstreamModel`, already mapped by the router: a provider never renames it.
 */
export interface ProviderAdapter {
  readonly id: Provider;
  /** Where a channel without a base URL of its own sends requests (`provider.json`). */
  readonly defaultBaseUrl: string;
  readonly chat: ChatCapability;
  readonly embeddings?: EmbeddingsCapability;
  readonly completions?: CompletionsCapability;
  /**
   * Upstream non-2xx → our error (see `upstream-errors.ts`): never the caller's own 401, never a URL or key, and a
   * context-length error recognised as `context_length_exceeded`.
   */
  mapError(status: number, body: string, retryAfter: string | undefined): TfError;
}
