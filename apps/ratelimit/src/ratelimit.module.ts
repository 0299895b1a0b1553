import { type DynamicModule, Module } from '@nestjs/common';
import { MessagingModule } from '@tokenflow/messaging';
import { metricsRegistryProvider } from '@tokenflow/observability';
import { RATELIMIT_CONFIG, type RatelimitConfig } from './config';
import { LimiterStore } from './limits/limiter.store';
import { RateLimitService } from './limits/rate-limit.service';
import { TpmCorrector } from './limits/tpm-corrector';
import { RatelimitMsController } from './ratelimit-ms.controller';
import { ratelimitOpsProvider } from './health/ratelimit-ops';
import { RatelimitMetrics } from './metrics/ratelimit-metrics';

@Module({})
export class RatelimitModule {
  static forRoot(config: RatelimitConfig): DynamicModule {
    return {
      module: RatelimitModule,
      imports: [MessagingModule.forRoot({ url: config.NATS_URL, service: 'ratelimit', namespace: config.TF_NAMESPACE })],
      providers: [{ provide: RATELIMIT_CONFIG, useValue: config }, LimiterStore, RateLimitService, TpmCorrector, RatelimitMsController, metricsRegistryProvider('ratelimit'), RatelimitMetrics, ratelimitOpsProvider],
    };
  }
}
