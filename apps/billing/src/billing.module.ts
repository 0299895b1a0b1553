import { type DynamicModule, Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { MessagingModule } from '@tokenflow/messaging';
import { AccountsRepository } from './accounts/accounts.repository';
import { AccountsService } from './accounts/accounts.service';
import { BillingMsController } from './billing-ms.controller';
import type { BillingConfig } from './config';
import { postgresOptions } from '@tokenflow/config';
import { billingSchemaOptions } from './db/data-source';
import { KeysRepository } from './keys/keys.repository';
import { KeysService } from './keys/keys.service';
import { PricesRepository } from './prices/prices.repository';
import { LedgerRepository } from './settlement/ledger.repository';
import { SettlementService } from './settlement/settlement.service';

@Module({})
export class BillingModule {
  static forRoot(config: BillingConfig): DynamicModule {
    return {
      module: BillingModule,
      imports: [
        MessagingModule.forRoot({ url: config.NATS_URL, service: 'billing', namespace: config.TF_NAMESPACE }),
        TypeOrmModule.forRoot(postgresOptions(billingSchemaOptions(config.DATABASE_URL, config.DB_POOL_SIZE))),
      ],
      providers: [
        AccountsRepository,
        AccountsService,
        KeysRepository,
        KeysService,
        PricesRepository,
        LedgerRepository,
        SettlementService,
        BillingMsController,
      ],
    };
  }
}
