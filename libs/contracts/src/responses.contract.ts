/**
 * Stored Responses API responses (`store: true`, OpenAI's default): kept by billing per account, so that
 * `previous_response_id` continues a conversation and `GET/DELETE /v1/responses/{id}` work. Another account's id is
 * not found. Items are the Responses API's own JSON (`message`, `function_call`, `function_call_output`,
 * `reasoning`, …), each with its id.
 */
import type { BlobRef } from './adapter.contract';

export type ResponseItem = Record<string, unknown> & { type: string; id?: string };

export interface StoredResponse {
  /** `resp_…`. */
  id: string;
  accountId: string;
  keyId: string;
  /** Unix seconds, as the Response object's `created_at`. */
  createdAt: number;
  /** The model that answered. */
  model: string;
  previousResponseId: string | null;
  /** This turn's input items, normalised to a list (a string input is one user message), each with an id. */
  input: ResponseItem[];
  /** The Response object as returned to the client (`output`, `usage`, `status`, …). */
  response: Record<string, unknown>;
}

export interface ResponseStoreRequest {
  response: StoredResponse;
}

/**
 * A payload too large for one NATS message (`max_payload`, 1 MB by default; a stored response may hold up to the
 * HTTP body limit): its JSON travels as a blob (`NatsBus.serveBlob`) that the receiver pulls. Requests and replies
 * of the response-store subjects may take this form; `ResponseStoreClient` and billing unwrap it, so callers of the
 * client never see it.
 */
export interface ResponseCarried {
  carried: BlobRef;
}

export interface ResponseRef {
  id: string;
  accountId: string;
}

/**
 * What a continuation (`previous_response_id`) builds on: every turn of the chain ending at `id`, oldest first,
 * each turn's input items then its output items. Bounded by billing (chain length and total size); past the bound
 * the request is the caller's 400, never a silent cut.
 */
export interface ResponseContextReply {
  items: ResponseItem[];
  /** The size of those items as stored (the turns' `context_bytes`): what they add to the upstream body. */
  bytes: number;
}

/**
 * Replies of the response-store subjects up to this size ride inline (the receiver parses them on its event loop, well
 * under a millisecond); larger ones travel as a blob (`ResponseCarried`), which the receiver parses off its loop.
 */
export const RESPONSES_INLINE_REPLY_BYTES = 256 * 1024;

/** The most items one `tf.billing.response-items.v1` request may name: the Responses API's input item cap. */
export const RESPONSE_ITEM_REFS_MAX = 2048;

/** One `item_reference` of a request: the item's id and the stored response that holds it (its id names it). */
export interface ResponseItemRef {
  id: string;
  responseId: string;
}

/**
 * The items a request's `item_reference`s name, resolved in one query within the account. Distinct ids only (ingress
 * refuses duplicates), at most `RESPONSE_ITEM_REFS_MAX`; more than `maxBytes` of them in total is a 413
 * `request_too_large` naming `input`, refused before any item leaves Postgres.
 */
export interface ResponseItemsRequest {
  accountId: string;
  refs: ResponseItemRef[];
  maxBytes: number;
}

/** In the order of the request's refs; null where the account has no such item (an unknown id, another account's). */
export interface ResponseItemsReply {
  items: (ResponseItem | null)[];
  /** Their size as stored (jsonb text). */
  bytes: number;
}

/**
 * `GET /v1/responses/{id}`: the stored Response object as JSON text, for ingress to send as it is (no parse on either
 * side). Carried (`ResponseCarried`), the blob's bytes are that JSON text itself.
 */
export interface ResponseJsonReply {
  json: string;
}

export interface ResponseInputItemsRequest extends ResponseRef {
  /** An item id: the page starts after it. */
  after?: string;
  /** 1–100, default 20. */
  limit?: number;
  /** `desc` (default, as OpenAI) or `asc`. */
  order?: 'asc' | 'desc';
}

export interface ResponseInputItemsReply {
  object: 'list';
  data: ResponseItem[];
  first_id: string | null;
  last_id: string | null;
  has_more: boolean;
}

export interface ResponseDeleteReply {
  id: string;
  object: 'response';
  deleted: true;
}
