import { type BeforeApplicationShutdown, type DynamicModule, Global, Inject, Injectable, Module } from '@nestjs/common';
import { createLogger } from '@tokenflow/observability';
import { NatsBus } from './nats-bus';

export const BUS_OPTIONS = Symbol('BUS_OPTIONS');

export interface MessagingModuleOptions {
  url: string;
  service: string;
  namespace?: string;
}

/**
 * Stops durable consumers (letting the batch in hand finish) and drains the connection BEFORE other modules shut
 * down, so a batch is never cut off by a database pool that closed under it.
 */
@Injectable()
class BusLifecycle implements BeforeApplicationShutdown {
  constructor(@Inject(NatsBus) private readonly bus: NatsBus) {}
  async beforeApplicationShutdown(): Promise<void> {
    await this.bus.close();
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
              logger: createLogger(`${opts.service}.messaging`),
            }),
        },
        BusLifecycle,
      ],
      exports: [NatsBus],
    };
  }
}
