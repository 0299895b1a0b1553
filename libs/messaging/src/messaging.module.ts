import { type DynamicModule, Global, Inject, Injectable, Module, type OnApplicationShutdown } from '@nestjs/common';
import { createLogger } from '@tokenflow/observability';
import { NatsBus } from './nats-bus';

export const BUS_OPTIONS = Symbol('BUS_OPTIONS');

export interface MessagingModuleOptions {
  url: string;
  service: string;
  namespace?: string;
}

/** Drains the connection on shutdown so in-flight replies are delivered before the process exits. */
@Injectable()
class BusLifecycle implements OnApplicationShutdown {
  constructor(@Inject(NatsBus) private readonly bus: NatsBus) {}
  async onApplicationShutdown(): Promise<void> {
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
