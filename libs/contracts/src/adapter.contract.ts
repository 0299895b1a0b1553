import type { WireError } from './errors';
import type { PlannedAttempt } from './router.contract';
import type { PriceQuote, PricingTerms } from './billing.contract';

/**
 * The OpenAI APIs an attempt can serve. `chat` and `completions` stream chunks; `embeddings` answers with one
 * `chunk` frame holding the whole OpenAI response, then `end`.
 */
export type Endpoint = 'chat' | 'completions' | 'embeddings';

export interface InvokeRequest {
  requestId: string;
  attemptNo: number;
  /** The planned attempt: the upstream key by reference only (`keyRef`), resolved by the adapter. */
  attempt: PlannedAttempt;
  /** Which API the body is for (default `chat`). */
  endpoint?: Endpoint;
  /**
   * The client's validated body for that API; the adapter maps `model`, the stream options and the provider's rules.
   * Null when it is larger than one NATS message: then it is fetched from `bodyRef`.
   */
  body: Record<string, unknown> | null;
  /** Where a body too large for one NATS message can be fetched, in parts (ingress serves it for the request). */
  bodyRef?: BlobRef;
  /** Where the adapter publishes StreamFrames for this request. (The request's deadline travels with the call context.) */
  inbox: string;
  accountId: string;
  keyId: string;
  /** Our model id (not the upstream name). */
  model: string;
  /**
   * `auto` requests only: the task category the classifier saw. The usage event carries it to the ledger, whose
   * per-model, per-category answer lengths are what `auto` expects a model to write.
   */
  category?: string;
  /** The price quoted when the request started; the usage event carries it so settlement bills at it. */
  price: PriceQuote;
  /**
   * The request's size, worked out once by ingress: the upstream key's quota reserves from it, and an upstream that
   * reports no usage is billed for the counted prompt, so the adapter never tokenizes the prompt again.
   */
  size: RequestSize;
  /**
   * Run the attempt only after this many milliseconds (backoff, or the upstream's `Retry-After`): the adapter that
   * receives it schedules it as a delayed job on the retry queue, which any adapter replica runs, so the retry
   * survives the replica that scheduled it. Absent or 0: run now (the success path and immediate failover).
   */
  delayMs?: number;
}

/** How large a request is, worked out once per plan by ingress; holds, limits and upstream quotas all reserve from it. */
export interface RequestSize {
  /** The prompt's tokens as counted (o200k). */
  promptTokens: number;
  /** What holds and limits reserve for the prompt: the count plus a margin, never under what any common tokenizer bills. */
  promptReserve: number;
  /** Every choice's longest possible output. */
  outputTokens: number;
  /** What else changes the request's price (audio, service tier, cache writes); the hold is sized with it. */
  terms?: PricingTerms;
}
/** A value served in parts on a private NATS inbox: `bytes` long, `partBytes` a part. */
export interface BlobRef {
  subject: string;
  bytes: number;
  partBytes: number;
}

export interface InvokeAck {
  accepted: true;
  /** The attempt waits on the retry queue (`delayMs`). */
  scheduled?: true;
}

export interface TokenUsage {
  prompt_tokens: number;
  completion_tokens: number;
  total_tokens: number;
  prompt_tokens_details?: { cached_tokens?: number; [k: string]: unknown };
  completion_tokens_details?: { reasoning_tokens?: number; [k: string]: unknown };
  [k: string]: unknown;
}

/**
 * Frames on the reply inbox, in order: any number of `chunk`, then exactly one `end` or `error`.
 * `chunk.data` is an OpenAI `chat.completion.chunk` with `model` already set to our model id.
 */
export type StreamFrame =
  | { type: 'chunk'; seq: number; data: Record<string, unknown> }
  | { type: 'end'; seq: number; usage: TokenUsage | null; usageSource: 'upstream' | 'estimated' }
  | { type: 'error'; seq: number; error: WireError };

/**
 * What crosses NATS: a frame, or the chunks one upstream read decoded into, as one message (thousands of chunks
 * from a fast upstream would otherwise be thousands of messages to parse). Inboxes hand the chunks out one by one;
 * a batch's `seq` is its first chunk's, and its chunks take the numbers after it.
 */
export type WireStreamFrame = StreamFrame | { type: 'chunks'; seq: number; data: Record<string, unknown>[] };

export interface CancelEvent {
  requestId: string;
  /**
   * Why ingress stops the attempt (the adapter still publishes the usage of what was produced): the client left, the
   * deadline passed, frames were lost on the way (`stream_gap`), the client read too slowly for the bounded relay
   * (`slow_client`), or the ingress shut down before the answer was complete (`shutdown`).
   */
  reason: 'client_disconnected' | 'deadline' | 'stream_gap' | 'slow_client' | 'shutdown';
}
