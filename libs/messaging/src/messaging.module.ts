import { type BeforeApplicationShutdown, type DynamicModule, Global, Inject, Injectable, Module, type OnApplicationShutdown } from '@nestjs/common';
import { createLogger, flushTracing } from '@tokenflow/observability';
import { NatsBus } from './nats-bus';

export const BUS_OPTIONS = Symbol('BUS_OPTIONS');

export interface MessagingModuleOptions {
  url: string;
  service: string;
  namespace?: string;
  /** See `BusOptions.streamReplicas`. */
  streamReplicas?: number;
}

/**
 * Stops durable consumers (letting the batch in hand finish) and drains the connection BEFORE other modules shut
 * down, so a batch is never cut off by a database pool that closed under it. Last, the spans of that work are
 * exported (every service's close path passes here: Nest's shutdown hooks, ingress's and the adapter's own close).
 */
@Injectable()
class BusLifecycle implements BeforeApplicationShutdown, OnApplicationShutdown {
  constructor(@Inject(NatsBus) private readonly bus: NatsBus) {}
  async beforeApplicationShutdown(): Promise<void> {
    await this.bus.close();
  }
  async onApplicationShutdown(): Promise<void> {
    await flushTracing();
  }
}

@Global()
@Module({})
export class MessagingModule {
  static forRoot(opts: MessagingModuleOptions): DynamicModule {
    return {
      module: MessagingModule,
      providers: [
        { provide: BUS_OPTIONS, useValue: opts },
        {
          provide: NatsBus,
          useFactory: () =>
            NatsBus.connect({
              url: opts.url,
              name: `${opts.service}:${process.pid}`,
              namespace: opts.namespace,
              streamReplicas: opts.streamReplicas,
              logger: createLogger(`${opts.service}.messaging`),
            }),
        },
        BusLifecycle,
      ],
      exports: [NatsBus],
    };
  }
}
