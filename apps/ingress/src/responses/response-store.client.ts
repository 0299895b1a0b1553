import { Injectable } from '@nestjs/common';
import {
  type ResponseCarried,
  type ResponseContextReply,
  type ResponseDeleteReply,
  type ResponseInputItemsReply,
  type ResponseInputItemsRequest,
  type ResponseItemRef,
  type ResponseItemsReply,
  RESPONSES_INLINE_REPLY_BYTES,
  type StoredResponse,
  Subjects,
} from '@tokenflow/contracts';
import { type CallContext, encode, NatsBus } from '@tokenflow/messaging';
import { JsonWorkers } from '../http/json-workers';

/** How long one part of a carried payload may take to arrive. */
const PART_TIMEOUT_MS = 10_000;
/** A store or read of up to the body limit may move ~30 parts: the whole call gets this long. */
const LARGE_CALL_TIMEOUT_MS = 30_000;

/**
 * Billing's store of Responses API responses (decision 0022), as ingress uses it. Unknown or another account's id: 404.
 * Payloads larger than one NATS message travel as blobs both ways (`ResponseCarried`); callers never see that. What
 * is large is parsed and encoded in the JSON worker, never on the event loop: billing carries every reply above
 * `RESPONSES_INLINE_REPLY_BYTES`, and a store whose size estimate is above it is encoded there.
 */
@Injectable()
export class ResponseStoreClient {
  constructor(
    private readonly bus: NatsBus,
    private readonly workers: JsonWorkers,
  ) {}

  /**
   * Idempotent on the response id. Larger than billing's cap (`RESPONSES_STORE_MAX_BYTES`): 413 `request_too_large`.
   * `approxBytes`: what the caller knows of its size (see `ResponseTurns.save`), so a large one is encoded off-loop.
   */
  async save(response: StoredResponse, approxBytes: number, ctx?: CallContext): Promise<{ stored: true }> {
    const bytes = approxBytes > RESPONSES_INLINE_REPLY_BYTES ? await this.workers.encode({ response }) : encode({ response });
    if (bytes.length <= this.bus.inlineLimit) return this.bus.request(Subjects.billingResponseStore, { response }, { ctx });
    const blob = this.bus.serveBlob(bytes);
    try {
      return await this.bus.request(Subjects.billingResponseStore, { carried: blob.ref }, { ctx, timeoutMs: LARGE_CALL_TIMEOUT_MS });
    } finally {
      blob.close();
    }
  }

  /** The stored Response object's JSON text as billing keeps it: sent to the client as it is, never parsed here. */
  async getJson(id: string, accountId: string, ctx?: CallContext): Promise<Uint8Array | string> {
    const reply = await this.bus.request(Subjects.billingResponseGet, { id, accountId }, { ctx, timeoutMs: LARGE_CALL_TIMEOUT_MS });
    return 'carried' in reply ? this.bus.fetchBlob(reply.carried, PART_TIMEOUT_MS) : reply.json;
  }

  /**
   * The conversation `previous_response_id: id` continues: every turn's input and output items, oldest first, and
   * their size. 404 `not_found` for an unknown id; 400 `invalid_request` (param `previous_response_id`) past
   * billing's bounds (turns, bytes) or when an earlier turn of the chain was deleted.
   */
  async context(id: string, accountId: string, ctx?: CallContext): Promise<ResponseContextReply> {
    return this.unwrap(await this.bus.request(Subjects.billingResponseContext, { id, accountId }, { ctx, timeoutMs: LARGE_CALL_TIMEOUT_MS }));
  }

  /** The items `refs` name, in their order (null: not the account's), at most `maxBytes` of them (else a 413 naming `input`). */
  async items(refs: ResponseItemRef[], accountId: string, maxBytes: number, ctx?: CallContext): Promise<ResponseItemsReply> {
    return this.unwrap(await this.bus.request(Subjects.billingResponseItems, { refs, accountId, maxBytes }, { ctx, timeoutMs: LARGE_CALL_TIMEOUT_MS }));
  }

  /** A page of input items as JSON to send as it is: a small page re-encoded (bounded), a carried one its bytes. */
  async inputItemsJson(req: ResponseInputItemsRequest, ctx?: CallContext): Promise<Uint8Array | string> {
    const reply: ResponseInputItemsReply | ResponseCarried = await this.bus.request(Subjects.billingResponseInputItems, req, { ctx, timeoutMs: LARGE_CALL_TIMEOUT_MS });
    return 'carried' in reply ? this.bus.fetchBlob(reply.carried, PART_TIMEOUT_MS) : JSON.stringify(reply);
  }

  delete(id: string, accountId: string, ctx?: CallContext): Promise<ResponseDeleteReply> {
    return this.bus.request(Subjects.billingResponseDelete, { id, accountId }, { ctx });
  }

  /** A carried reply is above `RESPONSES_INLINE_REPLY_BYTES` (billing carries every such one): parsed in the worker. */
  private async unwrap<T extends object>(reply: T | ResponseCarried): Promise<T> {
    if (!('carried' in reply)) return reply;
    return this.workers.decode<T>(await this.bus.fetchBlob(reply.carried, PART_TIMEOUT_MS));
  }
}
