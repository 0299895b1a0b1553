import type { Attempt, TfError, TokenUsage } from '@tokenflow/contracts';

export interface UpstreamHttpRequest {
  url: string;
  headers: Record<string, string>;
  body: string;
}

/** What one upstream SSE event means, in OpenAI chunk terms. */
export interface ParsedEvent {
  /** Chat completion chunks to forward (already without usage). */
  chunks: Record<string, unknown>[];
  usage?: TokenUsage;
  /** The upstream said the stream is complete. */
  done?: boolean;
}

/**
 * One upstream provider's wire format. Each provider lives in its own folder; OpenAI-compatible ones are a few
 * lines over `openai-base`, and providers with their own format (Anthropic) implement this for real.
 */
export interface ProviderAdapter {
  readonly id: string;
  /** Always a streaming request: both client modes are served from the stream, so one set of deadlines applies. */
  buildRequest(attempt: Attempt, body: Record<string, unknown>): UpstreamHttpRequest;
  parseEvent(data: string, event: string | undefined): ParsedEvent;
  /** Upstream non-2xx → our error; never echoes credentials or URLs. */
  mapError(status: number, body: string, retryAfter: string | undefined): TfError;
}
