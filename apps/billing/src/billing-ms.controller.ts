import { Injectable, type OnApplicationBootstrap } from '@nestjs/common';
import { Subjects } from '@tokenflow/contracts';
import { NatsBus } from '@tokenflow/messaging';
import { AccountsService } from './accounts/accounts.service';
import { HoldService } from './holds/hold.service';
import { KeysService } from './keys/keys.service';
import { OutputStatsService } from './output-stats/output-stats.service';
import { PricesService } from './prices/prices.service';
import { ParkedUsageService } from './parked/parked-usage.service';
import { LedgerVerifyService } from './settlement/ledger-verify.service';
import { SettlementLagService } from './settlement/settlement-lag.service';
import { ReportsService } from './reports/reports.service';

/** The NATS surface of billing: thin, every handler delegates to a service. */
@Injectable()
export class BillingMsController implements OnApplicationBootstrap {
  constructor(
    private readonly bus: NatsBus,
    private readonly accounts: AccountsService,
    private readonly keys: KeysService,
    private readonly holds: HoldService,
    private readonly prices: PricesService,
    private readonly verifier: LedgerVerifyService,
    private readonly reports: ReportsService,
    private readonly outputStats: OutputStatsService,
    private readonly lag: SettlementLagService,
    private readonly parked: ParkedUsageService,
  ) {}

  onApplicationBootstrap(): Promise<void> {
    this.bus.serve(Subjects.billingAuth, async (req) => ({ principal: await this.keys.authenticate(req.keyHash) }));
    this.bus.serve(Subjects.billingHold, (req) => this.holds.place(req));
    this.bus.serve(Subjects.billingHoldReleaseNow, async (req) => ({ released: (await this.holds.release(req.accountId, req.requestId, req.keyId)) > 0n }));
    this.bus.serve(Subjects.billingAccountCreate, (req) => this.accounts.create(req));
    this.bus.serve(Subjects.billingAccountGet, (req) => this.accounts.get(req.id));
    this.bus.serve(Subjects.billingAccountCredit, (req) => this.accounts.credit(req));
    this.bus.serve(Subjects.billingAccountAdjust, (req) => this.accounts.adjust(req));
    this.bus.serve(Subjects.billingLedgerVerify, () => this.verifier.verify());
    this.bus.serve(Subjects.billingUsageReport, (req) => this.reports.usage(req));
    this.bus.serve(Subjects.billingKeyInfo, (req) => this.reports.keyInfo(req.keyId));
    this.bus.serve(Subjects.billingKeyCreate, (req) => this.keys.create(req));
    this.bus.serve(Subjects.billingKeyRevoke, (req) => this.keys.revoke(req.id));
    this.bus.serve(Subjects.billingKeyUpdate, (req) => this.keys.update(req));
    this.bus.serve(Subjects.billingAccountUpdate, (req) => this.accounts.update(req));
    this.bus.serve(Subjects.billingPriceGet, (req) => this.prices.get(req.model));
    this.bus.serve(Subjects.billingPriceSet, (req) => this.prices.set(req));
    this.bus.serve(Subjects.billingOutputStats, () => this.outputStats.stats());
    this.bus.serve(Subjects.billingSettlementLag, () => this.lag.lag());
    this.bus.serve(Subjects.billingParkedList, (req) => this.parked.list(req));
    this.bus.serve(Subjects.billingParkedReplay, (req) => this.parked.replay(req));
    return this.bus.flush();
  }
}
