import { type DynamicModule, Module } from '@nestjs/common';
import { APP_FILTER } from '@nestjs/core';
import { MessagingModule } from '@tokenflow/messaging';
import { createMetricsRegistry } from '@tokenflow/observability';
import { TokenCounter } from '@tokenflow/openai';
import { Counter, type Registry } from 'prom-client';
import { AdminBillingController } from './admin/admin-billing.controller';
import { AdminChannelsController } from './admin/admin-channels.controller';
import { AdminCategoriesController } from './admin/admin-categories.controller';
import { AdminModelsController } from './admin/admin-models.controller';
import { AdminPricesController } from './admin/admin-prices.controller';
import { MessagesController } from './anthropic/messages.controller';
import { AdminAuthService } from './auth/admin-auth.service';
import { AdminGuard } from './auth/admin.guard';
import { AuthService } from './auth/auth.service';
import { AutoAdvisor } from './gateway/auto-advisor';
import { AdmissionService } from './gateway/admission.service';
import { AttemptRunner } from './gateway/attempt-runner';
import { BusCompensations } from './gateway/bus-compensations';
import { BodyCarrier } from './gateway/carried-body';
import { RouterClient } from './gateway/router.client';
import { GatewayService } from './gateway/gateway.service';
import { OpenAiApiController } from './openai/openai-api.controller';
import { INGRESS_CONFIG, type IngressConfig } from './config';
import { HealthController } from './health/health.controller';
import { METRICS_REGISTRY } from './health/metrics.tokens';
import { ApiExceptionFilter } from './http/api-exception.filter';
import { JsonWorkers } from './http/json-workers';
import { ShutdownDrain } from './lifecycle/shutdown-drain';
import { StreamMetrics } from './gateway/stream-metrics';
import { KeyController } from './key/key.controller';
import { ModelsController } from './models/models.controller';
import { RequestEnd } from './trail/request-end';
import { RequestLogLine } from './trail/request-log-line.listener';
import { RequestMetrics } from './trail/request-metrics.listener';
import { RequestLogPublisher } from './trail/request-log.publisher';
import { AdminRequestsController } from './admin/admin-requests.controller';
import { RequestSpans } from './trail/request-span.listener';
import { ResponsesController } from './responses/responses.controller';
import { ResponseTurns } from './responses/response-turns.service';
import { ResponsesStoreController } from './responses/responses-store.controller';
import { ResponseStoreClient } from './responses/response-store.client';

/** One counter per process; how often it had to take the byte upper bound (its workers were saturated) is a metric. */
function tokenCounterWithMetric(registry: Registry): TokenCounter {
  const counter = new TokenCounter();
  let reported = 0;
  new Counter({
    name: 'tokenflow_token_count_upper_bound_total',
    help: 'Prompts whose tokens took the byte upper bound because the tokenizer workers were saturated',
    registers: [registry],
    collect() {
      this.inc(counter.saturated - reported);
      reported = counter.saturated;
    },
  });
  return counter;
}

@Module({})
export class IngressModule {
  static forRoot(config: IngressConfig): DynamicModule {
    return {
      module: IngressModule,
      imports: [MessagingModule.forRoot({ url: config.NATS_URL, service: 'ingress', namespace: config.TF_NAMESPACE })],
      controllers: [
        OpenAiApiController,
        MessagesController,
        ResponsesController,
        ModelsController,
        AdminBillingController,
        AdminChannelsController,
        AdminModelsController,
        AdminCategoriesController,
        AdminPricesController,
        AdminRequestsController,
        KeyController,
        HealthController,
        ResponsesStoreController,
      ],
      providers: [
        { provide: INGRESS_CONFIG, useValue: config },
        { provide: METRICS_REGISTRY, useValue: createMetricsRegistry('ingress') },
        { provide: APP_FILTER, useClass: ApiExceptionFilter },
        { provide: TokenCounter, useFactory: tokenCounterWithMetric, inject: [METRICS_REGISTRY] },
        AuthService,
        AdminAuthService,
        AdminGuard,
        GatewayService,
        AutoAdvisor,
        RouterClient,
        AdmissionService,
        BodyCarrier,
        AttemptRunner,
        BusCompensations,
        JsonWorkers,
        ShutdownDrain,
        StreamMetrics,
        RequestEnd,
        RequestMetrics,
        RequestLogLine,
        RequestLogPublisher,
        RequestSpans,
        ResponseStoreClient,
        ResponseTurns,
      ],
    };
  }
}
