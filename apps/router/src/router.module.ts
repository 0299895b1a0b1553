import { type DynamicModule, Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { postgresOptions, postgresTimeouts } from '@tokenflow/config';
import { MessagingModule } from '@tokenflow/messaging';
import { metricsRegistryProvider, queueDepthGaugeProvider } from '@tokenflow/observability';
import { OutputStatsCache } from './auto/output-stats-cache';
import { PriceCache } from './auto/price-cache';
import { CatalogAdminService } from './catalog/catalog-admin.service';
import { CatalogService } from './catalog/catalog.service';
import { ChannelsRepository } from './channels/channels.repository';
import { ChannelsService } from './channels/channels.service';
import { ROUTER_CONFIG, type RouterConfig } from './config';
import { routingSchemaOptions } from './db/data-source';
import { ChannelProber } from './health/channel-prober';
import { HealthBook } from './health/health-book';
import { HealthService } from './health/health.service';
import { ProbeJob } from './health/probe.job';
import { routerOpsProvider } from './health/router-ops';
import { RouterMetrics } from './metrics/router-metrics';
import { PlannerService } from './planning/planner.service';
import { RoutingTable } from './planning/routing-table';
import { RouterMsController } from './router-ms.controller';

@Module({})
export class RouterModule {
  static forRoot(config: RouterConfig): DynamicModule {
    return {
      module: RouterModule,
      imports: [
        MessagingModule.forRoot({ url: config.NATS_URL, service: 'router', namespace: config.TF_NAMESPACE }),
        TypeOrmModule.forRoot(postgresOptions(routingSchemaOptions(config.DATABASE_URL, config.DB_POOL_SIZE, postgresTimeouts(config)))),
      ],
      providers: [
        { provide: ROUTER_CONFIG, useValue: config },
        { provide: HealthBook, useFactory: () => new HealthBook(config) },
        {
          provide: PlannerService,
          useFactory: (table: RoutingTable, book: HealthBook, prices: PriceCache, outputs: OutputStatsCache) => new PlannerService(table, config, book, prices, outputs),
          inject: [RoutingTable, HealthBook, PriceCache, OutputStatsCache],
        },
        ChannelsRepository,
        RoutingTable,
        PriceCache,
        OutputStatsCache,
        ChannelsService,
        CatalogService,
        CatalogAdminService,
        HealthService,
        ChannelProber,
        ProbeJob,
        RouterMsController,
        metricsRegistryProvider('router'),
        queueDepthGaugeProvider,
        RouterMetrics,
        routerOpsProvider,
      ],
    };
  }
}
