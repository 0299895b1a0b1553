import { Injectable } from '@nestjs/common';
import { type ResponseContextReply, type ResponseDeleteReply, type ResponseInputItemsReply, type ResponseInputItemsRequest, type StoredResponse, Subjects } from '@tokenflow/contracts';
import { type CallContext, NatsBus } from '@tokenflow/messaging';

/** Billing's store of Responses API responses (decision 0022), as ingress uses it. Unknown or another account's id: 404. */
@Injectable()
export class ResponseStoreClient {
  constructor(private readonly bus: NatsBus) {}

  save(response: StoredResponse, ctx?: CallContext): Promise<{ stored: true }> {
    return this.bus.request(Subjects.billingResponseStore, { response }, { ctx });
  }

  get(id: string, accountId: string, ctx?: CallContext): Promise<StoredResponse> {
    return this.bus.request(Subjects.billingResponseGet, { id, accountId }, { ctx });
  }

  /** The conversation `previous_response_id: id` continues: every turn's input and output items, oldest first. */
  context(id: string, accountId: string, ctx?: CallContext): Promise<ResponseContextReply> {
    return this.bus.request(Subjects.billingResponseContext, { id, accountId }, { ctx });
  }

  inputItems(req: ResponseInputItemsRequest, ctx?: CallContext): Promise<ResponseInputItemsReply> {
    return this.bus.request(Subjects.billingResponseInputItems, req, { ctx });
  }

  delete(id: string, accountId: string, ctx?: CallContext): Promise<ResponseDeleteReply> {
    return this.bus.request(Subjects.billingResponseDelete, { id, accountId }, { ctx });
  }
}
