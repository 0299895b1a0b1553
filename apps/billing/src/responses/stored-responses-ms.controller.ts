import { Injectable, type OnApplicationBootstrap } from '@nestjs/common';
import { Subjects } from '@tokenflow/contracts';
import { NatsBus } from '@tokenflow/messaging';
import { CarriedPayloads } from './carried-payloads';
import { StoredResponsesService } from './stored-responses.service';

/** The stored responses' NATS surface (decision 0022): thin; large payloads travel as blobs (`CarriedPayloads`). */
@Injectable()
export class StoredResponsesMsController implements OnApplicationBootstrap {
  constructor(
    private readonly bus: NatsBus,
    private readonly responses: StoredResponsesService,
    private readonly carried: CarriedPayloads,
  ) {}

  onApplicationBootstrap(): Promise<void> {
    this.bus.serve(Subjects.billingResponseStore, async (req) =>
      this.responses.store((await this.carried.receive(req, this.responses.storeRequestMaxBytes, (n) => this.responses.storeTooLarge(n))).response),
    );
    this.bus.serve(Subjects.billingResponseGet, async (req) => this.carried.replyRaw(await this.responses.getJson(req.id, req.accountId)));
    this.bus.serve(Subjects.billingResponseContext, async (req) => this.carried.replyJson(await this.responses.context(req.id, req.accountId)));
    this.bus.serve(Subjects.billingResponseInputItems, async (req) => this.carried.replyJson(await this.responses.inputItems(req)));
    this.bus.serve(Subjects.billingResponseItems, async (req) => this.carried.replyJson(await this.responses.items(req)));
    this.bus.serve(Subjects.billingResponseDelete, (req) => this.responses.delete(req.id, req.accountId));
    return this.bus.flush();
  }
}
