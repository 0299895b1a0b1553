/**
 * Error codes every service may return. The status and OpenAI `type` of each code are fixed here, once, so a
 * service only says *what* went wrong and ingress renders the same OpenAI-format body everywhere.
 */
export const ErrorCatalog = {
  invalid_request: { status: 400, type: 'invalid_request_error' },
  invalid_json: { status: 400, type: 'invalid_request_error' },
  invalid_api_key: { status: 401, type: 'invalid_request_error' },
  invalid_admin_key: { status: 401, type: 'invalid_request_error' },
  model_not_allowed: { status: 403, type: 'permission_error' },
  model_not_found: { status: 404, type: 'invalid_request_error' },
  /** The model exists but is not of the endpoint's kind (an embedding model asked to chat, or the reverse). */
  model_not_supported: { status: 400, type: 'invalid_request_error' },
  not_found: { status: 404, type: 'invalid_request_error' },
  /** The client did not finish sending its request in time (`REQUEST_BODY_TIMEOUT_MS`). */
  request_timeout: { status: 408, type: 'invalid_request_error' },
  request_too_large: { status: 413, type: 'invalid_request_error' },
  uri_too_long: { status: 414, type: 'invalid_request_error' },
  unsupported_media_type: { status: 415, type: 'invalid_request_error' },
  headers_too_large: { status: 431, type: 'invalid_request_error' },
  /** An `Expect` header other than `100-continue`. */
  expectation_failed: { status: 417, type: 'invalid_request_error' },
  rate_limit_exceeded: { status: 429, type: 'rate_limit_error' },
  insufficient_quota: { status: 429, type: 'insufficient_quota' },
  internal_error: { status: 500, type: 'api_error' },
  /** The input does not fit the model's context window (a larger-context model may take it). */
  context_length_exceeded: { status: 400, type: 'invalid_request_error' },
  upstream_error: { status: 502, type: 'api_error' },
  /** The upstream refused the channel's own credentials: the operator's problem, never the caller's 401. */
  upstream_auth_error: { status: 502, type: 'api_error' },
  /** The upstream account behind a channel is out of credit or quota. */
  upstream_quota_error: { status: 502, type: 'api_error' },
  no_available_channel: { status: 503, type: 'service_unavailable' },
  model_not_priced: { status: 503, type: 'service_unavailable' },
  service_unavailable: { status: 503, type: 'service_unavailable' },
  /**
   * Settlement cannot write the ledger and the account has reached its unsettled-spend limit
   * (`UNSETTLED_LIMIT_USD`, docs/decisions/0016): no new hold until the ledger catches up.
   */
  ledger_unavailable: { status: 503, type: 'service_unavailable' },
  upstream_timeout: { status: 504, type: 'timeout_error' },
} as const;

export type ErrorCode = keyof typeof ErrorCatalog;

/** The OpenAI error body: `{"error": {...}}` wraps this. */
export interface ErrorBody {
  message: string;
  type: string;
  param: string | null;
  code: string;
}

/** What crosses NATS when a handler fails: the body plus what HTTP needs to render it. */
export interface WireError extends ErrorBody {
  status: number;
  retryAfterMs?: number;
  /** Upstream attempt failures that another channel may succeed on. */
  retryable?: boolean;
  /** Extra response headers (e.g. `x-ratelimit-*` on a rate-limit denial). */
  headers?: Record<string, string>;
}

export interface TfErrorOptions {
  param?: string | null;
  retryAfterMs?: number;
  retryable?: boolean;
  headers?: Record<string, string>;
}

/** The one exception type that crosses service boundaries; anything else becomes `internal_error`. */
export class TfError extends Error {
  readonly status: number;
  readonly type: string;
  readonly param: string | null;
  readonly retryAfterMs?: number;
  readonly retryable: boolean;
  readonly headers?: Record<string, string>;

  constructor(
    readonly code: ErrorCode,
    message: string,
    options: TfErrorOptions = {},
  ) {
    super(message);
    this.name = 'TfError';
    this.status = ErrorCatalog[code].status;
    this.type = ErrorCatalog[code].type;
    this.param = options.param ?? null;
    this.retryAfterMs = options.retryAfterMs;
    this.retryable = options.retryable ?? false;
    this.headers = options.headers;
  }

  toBody(): ErrorBody {
    return { message: this.message, type: this.type, param: this.param, code: this.code };
  }

  toWire(): WireError {
    const wire: WireError = { ...this.toBody(), status: this.status };
    if (this.retryAfterMs !== undefined) wire.retryAfterMs = this.retryAfterMs;
    if (this.retryable) wire.retryable = true;
    if (this.headers) wire.headers = this.headers;
    return wire;
  }

  static fromWire(wire: WireError): TfError {
    const code = (wire.code in ErrorCatalog ? wire.code : 'internal_error') as ErrorCode;
    return new TfError(code, wire.message, {
      param: wire.param,
      retryAfterMs: wire.retryAfterMs,
      retryable: wire.retryable,
      headers: wire.headers,
    });
  }

  /** Anything thrown that is not a TfError is hidden behind a generic message: no stack, no upstream detail. */
  static from(err: unknown): TfError {
    if (err instanceof TfError) return err;
    return new TfError('internal_error', 'The server had an error while processing your request.');
  }
}
