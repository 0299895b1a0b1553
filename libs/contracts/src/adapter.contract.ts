import type { WireError } from './errors';
import type { Attempt } from './router.contract';
import type { PriceQuote } from './billing.contract';

/**
 * The OpenAI APIs an attempt can serve. `chat` and `completions` stream chunks; `embeddings` answers with one
 * `chunk` frame holding the whole OpenAI response, then `end`.
 */
export type Endpoint = 'chat' | 'completions' | 'embeddings';

export interface InvokeRequest {
  requestId: string;
  attemptNo: number;
  attempt: Attempt;
  /** Which API the body is for (default `chat`). */
  endpoint?: Endpoint;
  /** The client's validated body for that API; the adapter maps `model`, the stream options and the provider's rules. */
  body: Record<string, unknown>;
  /** Where the adapter publishes StreamFrames for this request. */
  inbox: string;
  /** Epoch ms after which the request is abandoned. */
  deadlineAt: number;
  accountId: string;
  keyId: string;
  /** Our model id (not the upstream name). */
  model: string;
  /** The price quoted when the request started; the usage event carries it so settlement bills at it. */
  price: PriceQuote;
}
export interface InvokeAck {
  accepted: true;
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

export interface CancelEvent {
  requestId: string;
  reason: 'client_disconnected' | 'deadline';
}
