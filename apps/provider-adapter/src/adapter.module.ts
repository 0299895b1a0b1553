import { type DynamicModule, Module } from '@nestjs/common';
import { MessagingModule } from '@tokenflow/messaging';
import { metricsRegistryProvider, queueDepthGaugeProvider } from '@tokenflow/observability';
import { TokenCounter } from '@tokenflow/openai';
import { AdapterMsController } from './adapter-ms.controller';
import { ADAPTER_CONFIG, type AdapterConfig } from './config';
import { HealthRecorder } from './health/health.recorder';
import { CancellationRegistry } from './invoke/cancellation.registry';
import { InvokeService } from './invoke/invoke.service';
import { KeyHealthReporter } from './invoke/key-health.reporter';
import { LargeBodies } from './invoke/large-bodies';
import { UpstreamKeysStore } from './invoke/upstream-keys.store';
import { UpstreamQuota } from './invoke/upstream-quota';
import { ProbeService } from './probe/probe.service';
import { RetryQueue } from './retry/retry.queue';
import { RetryRunner } from './retry/retry.runner';
import { UpstreamClient } from './upstream/upstream-client';
import { AdapterGauges } from './metrics/adapter-gauges';
import { UpstreamMetrics } from './metrics/upstream-metrics';
import { adapterOpsProvider } from './health/adapter-ops';
import { AdapterShutdown } from './shutdown/adapter-shutdown';
import { UsagePublisher } from './usage/usage.publisher';

@Module({})
export class AdapterModule {
  static forRoot(config: AdapterConfig): DynamicModule {
    return {
      module: AdapterModule,
      imports: [MessagingModule.forRoot({ url: config.NATS_URL, service: 'provider-adapter', namespace: config.TF_NAMESPACE })],
      providers: [
        { provide: ADAPTER_CONFIG, useValue: config },
        { provide: TokenCounter, useFactory: () => new TokenCounter() },
        UpstreamClient,
        CancellationRegistry,
        UsagePublisher,
        InvokeService,
        UpstreamQuota,
        KeyHealthReporter,
        LargeBodies,
        UpstreamKeysStore,
        HealthRecorder,
        ProbeService,
        RetryRunner,
        RetryQueue,
        AdapterMsController,
        AdapterShutdown,
        metricsRegistryProvider('provider-adapter'),
        queueDepthGaugeProvider,
        UpstreamMetrics,
        AdapterGauges,
        adapterOpsProvider,
      ],
    };
  }
}
