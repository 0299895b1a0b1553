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
