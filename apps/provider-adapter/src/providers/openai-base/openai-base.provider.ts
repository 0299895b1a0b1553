import { type Attempt, TfError, type TokenUsage } from '@tokenflow/contracts';
import type { ParsedEvent, ProviderAdapter, UpstreamHttpRequest } from '../provider';

export interface OpenAiBaseOptions {
  id: string;
  /** Appended to the channel's base URL. */
  chatPath?: string;
  /** Whether the upstream honours `stream_options.include_usage` (most OpenAI-compatible APIs do). */
  supportsStreamUsage?: boolean;
}

/**
 * The OpenAI Chat Completions wire format, shared by every OpenAI-compatible provider. The client's body passes
 * through unchanged except `model` (mapped to the upstream name) and the stream switches, which we own.
 */
export class OpenAiBaseProvider implements ProviderAdapter {
  readonly id: string;
  private readonly chatPath: string;
  private readonly supportsStreamUsage: boolean;

  constructor(opts: OpenAiBaseOptions) {
    this.id = opts.id;
    this.chatPath = opts.chatPath ?? '/chat/completions';
    this.supportsStreamUsage = opts.supportsStreamUsage ?? true;
  }

  buildRequest(attempt: Attempt, body: Record<string, unknown>): UpstreamHttpRequest {
    const upstreamBody: Record<string, unknown> = { ...body, model: attempt.upstreamModel, stream: true };
    if (this.supportsStreamUsage) upstreamBody.stream_options = { include_usage: true };
    else delete upstreamBody.stream_options;
    return {
      url: `${attempt.baseUrl}${this.chatPath}`,
      headers: {
        authorization: `Bearer ${attempt.apiKey}`,
        'content-type': 'application/json',
        accept: 'text/event-stream',
      },
      body: JSON.stringify(upstreamBody),
    };
  }

  parseEvent(data: string): ParsedEvent {
    if (data.trim() === '[DONE]') return { chunks: [], done: true };
    let chunk: Record<string, unknown>;
    try {
      chunk = JSON.parse(data) as Record<string, unknown>;
    } catch {
      throw new TfError('upstream_error', 'The upstream sent a malformed stream chunk.', { retryable: true });
    }
    if (chunk.error) {
      const message = typeof chunk.error === 'string' ? chunk.error : String((chunk.error as { message?: unknown }).message ?? 'unknown error');
      throw new TfError('upstream_error', `The upstream reported an error mid-stream: ${sanitize(message)}`);
    }
    const usage = (chunk.usage ?? undefined) as TokenUsage | undefined;
    const choices = Array.isArray(chunk.choices) ? chunk.choices : [];
    const { usage: _drop, ...rest } = chunk;
    // A usage-only chunk (choices: []) is not forwarded: ingress re-emits usage only if the client asked.
    return { chunks: choices.length > 0 ? [rest] : [], usage: usage ?? undefined };
  }

  mapError(status: number, body: string, retryAfter: string | undefined): TfError {
    const upstreamMessage = extractMessage(body);
    if (status === 400 || status === 422) {
      return new TfError('invalid_request', upstreamMessage ?? 'The upstream rejected the request as invalid.');
    }
    if (status === 429) {
      const seconds = retryAfter?.trim() ? Number(retryAfter) : NaN;
      return new TfError('rate_limit_exceeded', 'The upstream provider is rate limiting requests. Please retry shortly.', {
        retryable: true,
        retryAfterMs: Number.isFinite(seconds) && seconds >= 0 ? Math.round(seconds * 1000) : undefined,
      });
    }
    if (status === 401 || status === 403) {
      return new TfError('upstream_error', 'The upstream provider rejected the channel credentials.', { retryable: true });
    }
    return new TfError('upstream_error', `The upstream provider returned an error (HTTP ${status}).`, {
      retryable: status >= 500 || status === 404 || status === 408,
    });
  }
}

function extractMessage(body: string): string | null {
  try {
    const parsed = JSON.parse(body) as { error?: { message?: unknown } | string; message?: unknown };
    const raw = typeof parsed.error === 'string' ? parsed.error : (parsed.error?.message ?? parsed.message);
    return typeof raw === 'string' && raw ? sanitize(raw) : null;
  } catch {
    return null;
  }
}

/** Upstream messages sometimes quote the key or an internal URL; neither may reach our client. */
export function sanitize(message: string): string {
  return message
    .replace(/\b(sk|tf|key)-[A-Za-z0-9_-]{8,}/g, '[redacted]')
    .replace(/https?:\/\/\S+/g, '[url]')
    .slice(0, 1000);
}

export type { TokenUsage };
