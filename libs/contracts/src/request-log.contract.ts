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
  /** Only for keys with content logging on: the request body and the answer, each capped. */
  content?: { request: unknown; response: unknown; truncated: boolean };
}
