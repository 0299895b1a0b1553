import { type DynamicModule, Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { postgresOptions, postgresTimeouts } from '@tokenflow/config';
import { MessagingModule } from '@tokenflow/messaging';
import { metricsRegistryProvider, queueDepthGaugeProvider } from '@tokenflow/observability';
import { AccountsRepository } from './accounts/accounts.repository';
import { AccountsService } from './accounts/accounts.service';
import { BillingMsController } from './billing-ms.controller';
import { BILLING_CONFIG, type BillingConfig } from './config';
import { billingSchemaOptions } from './db/data-source';
import { BalanceCache } from './holds/balance-cache';
import { billingOpsProvider } from './health/billing-ops';
import { BillingMetrics } from './metrics/billing-metrics';
import { HoldExpiryJob } from './holds/hold-expiry.job';
import { HoldService } from './holds/hold.service';
import { HoldRecorder } from './holds/hold-recorder';
import { KeyIndex } from './keys/key-index';
import { KeysRepository } from './keys/keys.repository';
import { KeysService } from './keys/keys.service';
import { PriceBookService } from './prices/price-book.service';
import { PricesRepository } from './prices/prices.repository';
import { PricesService } from './prices/prices.service';
import { OutputRollupJob } from './output-stats/output-rollup.job';
import { OutputStatsService } from './output-stats/output-stats.service';
import { OutputUsageRepository } from './output-stats/output-usage.repository';
import { ParkedUsageRepository } from './parked/parked-usage.repository';
import { ParkedUsageService } from './parked/parked-usage.service';
import { LedgerHealth } from './settlement/ledger-health';
import { LedgerRepository } from './settlement/ledger.repository';
import { SettlementLagService } from './settlement/settlement-lag.service';
import { LedgerVerifyService } from './settlement/ledger-verify.service';
import { SettlementService } from './settlement/settlement.service';
import { ReportsRepository } from './reports/reports.repository';
import { ReportsService } from './reports/reports.service';
import { RequestLogConsumer } from './request-log/request-log.consumer';
import { RequestLogMsController } from './request-log/request-log-ms.controller';
import { RequestLogRepository } from './request-log/request-log.repository';
import { RequestLogRetentionJob } from './request-log/request-log-retention.job';
import { RequestLogService } from './request-log/request-log.service';
import { CarriedPayloads } from './responses/carried-payloads';
import { StoredResponsesMsController } from './responses/stored-responses-ms.controller';
import { StoredResponsesRepository } from './responses/stored-responses.repository';
import { StoredResponsesRetentionJob } from './responses/stored-responses-retention.job';
import { StoredResponsesService } from './responses/stored-responses.service';

@Module({})
export class BillingModule {
  static forRoot(config: BillingConfig): DynamicModule {
    return {
      module: BillingModule,
      imports: [
        MessagingModule.forRoot({ url: config.NATS_URL, service: 'billing', namespace: config.TF_NAMESPACE, streamReplicas: config.NATS_STREAM_REPLICAS }),
        TypeOrmModule.forRoot(postgresOptions(billingSchemaOptions(config.DATABASE_URL, config.DB_POOL_SIZE, postgresTimeouts(config)))),
      ],
      providers: [
        { provide: BILLING_CONFIG, useValue: config },
        metricsRegistryProvider('billing'),
        queueDepthGaugeProvider,
        BillingMetrics,
        billingOpsProvider,
        AccountsRepository,
        AccountsService,
        KeysRepository,
        KeysService,
        KeyIndex,
        PricesRepository,
        PriceBookService,
        PricesService,
        BalanceCache,
        HoldService,
        HoldRecorder,
        HoldExpiryJob,
        LedgerRepository,
        LedgerHealth,
        ParkedUsageRepository,
        SettlementService,
        SettlementLagService,
        ParkedUsageService,
        LedgerVerifyService,
        ReportsRepository,
        ReportsService,
        OutputUsageRepository,
        OutputStatsService,
        OutputRollupJob,
        BillingMsController,
        RequestLogRepository,
        RequestLogService,
        RequestLogConsumer,
        RequestLogRetentionJob,
        RequestLogMsController,
        StoredResponsesRepository,
        StoredResponsesService,
        CarriedPayloads,
        StoredResponsesRetentionJob,
        StoredResponsesMsController,
      ],
    };
  }
}
