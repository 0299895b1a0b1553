import { Injectable } from '@nestjs/common';
import {
  type ResponseCarried,
  type ResponseContextReply,
  type ResponseDeleteReply,
  type ResponseInputItemsReply,
  type ResponseInputItemsRequest,
  type StoredResponse,
  Subjects,
} from '@tokenflow/contracts';
import { type CallContext, decode, encode, NatsBus } from '@tokenflow/messaging';

/** How long one part of a carried payload may take to arrive. */
const PART_TIMEOUT_MS = 10_000;
/** A store or read of up to the body limit may move ~30 parts: the whole call gets this long. */
const LARGE_CALL_TIMEOUT_MS = 30_000;

/**
 * Billing's store of Responses API responses (decision 0022), as ingress uses it. Unknown or another account's id: 404.
 * Payloads larger than one NATS message travel as blobs both ways (`ResponseCarried`); callers never see that.
 */
@Injectable()
export class ResponseStoreClient {
  constructor(private readonly bus: NatsBus) {}

  /** Idempotent on the response id. Larger than billing's cap (`RESPONSES_STORE_MAX_BYTES`): 413 `request_too_large`. */
  async save(response: StoredResponse, ctx?: CallContext): Promise<{ stored: true }> {
    const bytes = encode({ response });
    if (bytes.length <= this.bus.inlineLimit) return this.bus.request(Subjects.billingResponseStore, { response }, { ctx });
    const blob = this.bus.serveBlob(bytes);
    try {
      return await this.bus.request(Subjects.billingResponseStore, { carried: blob.ref }, { ctx, timeoutMs: LARGE_CALL_TIMEOUT_MS });
    } finally {
      blob.close();
    }
  }

  async get(id: string, accountId: string, ctx?: CallContext): Promise<StoredResponse> {
    return this.unwrap(await this.bus.request(Subjects.billingResponseGet, { id, accountId }, { ctx }));
  }

  /**
   * The conversation `previous_response_id: id` continues: every turn's input and output items, oldest first.
   * 404 `not_found` for an unknown id; 400 `invalid_request` (param `previous_response_id`) past billing's bounds
   * (turns, bytes) or when an earlier turn of the chain was deleted.
   */
  async context(id: string, accountId: string, ctx?: CallContext): Promise<ResponseContextReply> {
    return this.unwrap(await this.bus.request(Subjects.billingResponseContext, { id, accountId }, { ctx, timeoutMs: LARGE_CALL_TIMEOUT_MS }));
  }

  async inputItems(req: ResponseInputItemsRequest, ctx?: CallContext): Promise<ResponseInputItemsReply> {
    return this.unwrap(await this.bus.request(Subjects.billingResponseInputItems, req, { ctx }));
  }

  delete(id: string, accountId: string, ctx?: CallContext): Promise<ResponseDeleteReply> {
    return this.bus.request(Subjects.billingResponseDelete, { id, accountId }, { ctx });
  }

  private async unwrap<T extends object>(reply: T | ResponseCarried): Promise<T> {
    if (!('carried' in reply)) return reply;
    return decode<T>(await this.bus.fetchBlob(reply.carried, PART_TIMEOUT_MS));
  }
}
