import { Injectable, type OnApplicationBootstrap } from '@nestjs/common';
import { Subjects } from '@tokenflow/contracts';
import { NatsBus } from '@tokenflow/messaging';
import { AccountsService } from './accounts/accounts.service';
import { KeysService } from './keys/keys.service';

/** The NATS surface of billing: thin, every handler delegates to a service. */
@Injectable()
export class BillingMsController implements OnApplicationBootstrap {
  constructor(
    private readonly bus: NatsBus,
    private readonly accounts: AccountsService,
    private readonly keys: KeysService,
  ) {}

  onApplicationBootstrap(): Promise<void> {
    this.bus.serve(Subjects.billingAuth, async (req) => ({ principal: await this.keys.authenticate(req.keyHash) }));
    this.bus.serve(Subjects.billingHold, async (req) => {
      await this.accounts.assertCanSpend(req.accountId);
      return { granted: true } as const;
    });
    this.bus.serve(Subjects.billingAccountCreate, (req) => this.accounts.create(req));
    this.bus.serve(Subjects.billingAccountGet, (req) => this.accounts.get(req.id));
    this.bus.serve(Subjects.billingKeyCreate, (req) => this.keys.create(req));
    this.bus.serve(Subjects.billingKeyRevoke, (req) => this.keys.revoke(req.id));
    return this.bus.flush();
  }
}
