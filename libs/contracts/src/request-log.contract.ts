/**
 * One request as the gateway saw it, answered or refused: what the request log keeps (billing's
 * `billing.request_log`). Written off the hot path once the response is over. No prompt or completion content
 * unless the key has content logging on (`content`).
 */
export interface RequestLoggedEvent {
  /** The request id (`req_…`, the `x-request-id` header). */
  id: string;
  /** When the request arrived (ISO). */
  at: string;
  /** null when the request was refused before its key was known (no or an unknown key). */
  accountId: string | null;
  keyId: string | null;
  method: string;
  /** The route as registered (`/v1/chat/completions`), or the raw path when none matched. */
  path: string;
  /** The API (`chat`, `completions`, `embeddings`, `messages`); null for a request that reached none. */
  endpoint: string | null;
  requestedModel: string | null;
  /** The model that answered (`auto` resolved, after fallbacks). */
  servedModel: string | null;
  provider: string | null;
  channelId: string | null;
  /** Why this model (`x-tokenflow-route`: the `auto` explanation, or a fallback note); null for a direct request. */
  route: string | null;
  /** `auto`'s task category, when `auto` classified the request. */
  category: string | null;
  /** Upstream attempts made (0 when refused before any). */
  attempts: number;
  stream: boolean;
  /** The HTTP status the client got (200 for a stream that later ended with an error event: see `errorCode`). */
  status: number;
  /** The error the client got (body or stream event), null on success. */
  errorCode: string | null;
  /** Until the last byte was written. */
  latencyMs: number;
  /** Until the first byte of the answer (streams: the first event; whole answers: the body). */
  ttftMs: number | null;
  inputTokens: number | null;
  outputTokens: number | null;
  reasoningTokens: number | null;
  cachedTokens: number | null;
  /** What the ledger charges for the usage, nano-USD as a decimal string; null without usage. */
  costNano: string | null;
  /** W3C trace id of the request's trace. */
  traceId: string | null;
  /** Only for keys with content logging on (`log_content`): the request body and the answer, each capped. */
  content?: RequestContent;
}

/**
 * What a request with content logging on said and was told, each at most `REQUEST_CONTENT_MAX_CHARS` characters:
 * the request body as JSON text, and the answer as sent (a whole answer's JSON body, a stream's SSE events as
 * written, or the error body). `truncated`: at least one of them was cut there (the text is then not valid JSON).
 */
export interface RequestContent {
  request: string | null;
  response: string | null;
  truncated: boolean;
}

/** The cap on each of `RequestContent.request` and `.response` (UTF-16 code units, before JSON escaping). */
export const REQUEST_CONTENT_MAX_CHARS = 64 * 1024;

/** `GET /admin/v1/requests` filters (validated by ingress), newest first. */
export interface RequestLogListRequest {
  account_id?: string;
  key_id?: string;
  /** The requested or the served model. */
  model?: string;
  status?: number;
  error_code?: string;
  /** ISO times: `at >= since`, `at < until`. */
  since?: string;
  until?: string;
  /** 1–200, default 50. */
  limit?: number;
  /** The `next_cursor` of the previous page (opaque). */
  after?: string;
}

export interface RequestLogGetRequest {
  id: string;
}

/** One request log entry as the admin API shows it. Money as a USD string and as nano-USD. */
export interface RequestLogView {
  object: 'request';
  id: string;
  created_at: string;
  account_id: string | null;
  key_id: string | null;
  method: string;
  path: string;
  endpoint: string | null;
  requested_model: string | null;
  served_model: string | null;
  provider: string | null;
  channel_id: string | null;
  route: string | null;
  category: string | null;
  attempts: number;
  stream: boolean;
  status: number;
  error_code: string | null;
  latency_ms: number;
  ttft_ms: number | null;
  usage: { input_tokens: number | null; output_tokens: number | null; reasoning_tokens: number | null; cached_tokens: number | null };
  cost_usd: string | null;
  cost_nano: string | null;
  trace_id: string | null;
  /** Whether content was stored (content logging on for the key). */
  has_content: boolean;
  /** Single-entry view only, when stored: the request and answer (parsed back to JSON when they were complete). */
  content?: { request: unknown; response: unknown; truncated: boolean };
}

export interface RequestLogListReply {
  object: 'list';
  data: RequestLogView[];
  has_more: boolean;
  /** Pass as `after` for the next (older) page; null on the last page. */
  next_cursor: string | null;
}
