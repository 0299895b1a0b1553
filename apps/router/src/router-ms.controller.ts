import { Injectable, type OnApplicationBootstrap } from '@nestjs/common';
import { Subjects } from '@tokenflow/contracts';
import { NatsBus } from '@tokenflow/messaging';
import { OutputStatsCache } from './auto/output-stats-cache';
import { PriceCache } from './auto/price-cache';
import { CatalogAdminService } from './catalog/catalog-admin.service';
import { CatalogService } from './catalog/catalog.service';
import { ChannelsService } from './channels/channels.service';
import { ChannelProber } from './health/channel-prober';
import { HealthBook } from './health/health-book';
import { HealthService } from './health/health.service';
import { PlannerService } from './planning/planner.service';
import { RoutingTable } from './planning/routing-table';

@Injectable()
export class RouterMsController implements OnApplicationBootstrap {
  constructor(
    private readonly bus: NatsBus,
    private readonly table: RoutingTable,
    private readonly planner: PlannerService,
    private readonly catalog: CatalogService,
    private readonly catalogAdmin: CatalogAdminService,
    private readonly channels: ChannelsService,
    private readonly book: HealthBook,
    private readonly health: HealthService,
    private readonly prober: ChannelProber,
    private readonly prices: PriceCache,
    private readonly outputs: OutputStatsCache,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    await this.table.reload();
    await this.prices.start();
    await this.outputs.start();
    this.bus.on(Subjects.routerChannelsChanged, (ev) => {
      if (ev.channelId) this.book.forgetChannel(ev.channelId);
      return this.table.reload();
    });
    this.health.listen();
    this.bus.serve(Subjects.routerPlan, (req) => this.planner.plan(req));
    this.bus.serve(Subjects.routerModelsList, (req) => this.catalog.list(req.allowedModels));
    this.bus.serve(Subjects.routerModelGet, (req) => this.catalog.get(req.id, req.allowedModels));
    this.bus.serve(Subjects.routerCatalogList, () => this.catalogAdmin.list());
    this.bus.serve(Subjects.routerCatalogUpdate, (req) => this.catalogAdmin.update(req.id, req.patch));
    this.bus.serve(Subjects.routerPriorsList, () => this.catalogAdmin.listPriors());
    this.bus.serve(Subjects.routerPriorUpdate, (req) => this.catalogAdmin.updatePrior(req.category, req.patch));
    this.bus.serve(Subjects.routerChannelCreate, (req) => this.channels.create(req));
    this.bus.serve(Subjects.routerChannelList, async () => ({ object: 'list' as const, data: await this.channels.list() }));
    this.bus.serve(Subjects.routerChannelGet, (req) => this.channels.get(req.id));
    this.bus.serve(Subjects.routerChannelUpdate, (req) => this.channels.update(req.id, req.patch));
    this.bus.serve(Subjects.routerChannelDelete, (req) => this.channels.delete(req.id));
    this.bus.serve(Subjects.routerChannelTest, (req) => this.prober.test(req.id, req.model));
    // From the snapshot (no query per call): the adapter caches the answer until the channel changes.
    this.bus.serve(Subjects.routerChannelKeys, (req) => ({ keys: this.table.keysOf(req.channelId) }));
    await this.bus.flush();
  }
}
