import { Inject, Injectable, type OnModuleDestroy } from '@nestjs/common';
import { createLogger } from '@tokenflow/observability';
import { AdapterMsController } from '../adapter-ms.controller';
import { ADAPTER_CONFIG, type AdapterConfig } from '../config';
import { InvokeService } from '../invoke/invoke.service';
import { UsagePublisher } from '../usage/usage.publisher';

/** How long attempts ended at the grace deadline get to send their error frame and publish their usage. */
const SETTLE_MS = 5_000;
/** How long the usage still pending gets to reach JetStream before it is left in the spool for the next start. */
const FLUSH_MS = 3_000;

/**
 * The adapter's shutdown, in order, before the bus drains (MessagingModule closes it at `beforeApplicationShutdown`,
 * after every `onModuleDestroy`): stop taking invokes (the queue group serves them from the other replicas), let the
 * attempts in flight finish for SHUTDOWN_GRACE_MS, end the rest cleanly (an error frame, usage for what they
 * produced), then flush usage to JetStream or leave it in the spool. Only then may the connection go.
 */
@Injectable()
export class AdapterShutdown implements OnModuleDestroy {
  private readonly log = createLogger('provider-adapter.shutdown');

  constructor(
    private readonly controller: AdapterMsController,
    private readonly invoke: InvokeService,
    private readonly usage: UsagePublisher,
    @Inject(ADAPTER_CONFIG) private readonly config: Pick<AdapterConfig, 'SHUTDOWN_GRACE_MS'>,
  ) {}

  async onModuleDestroy(): Promise<void> {
    const started = Date.now();
    // A probe in hand answers within its own 15 s bound; the grace period bounds that wait too.
    await this.controller.stopTaking(Math.min(this.config.SHUTDOWN_GRACE_MS, 15_000));
    const ended = await this.invoke.finish(this.config.SHUTDOWN_GRACE_MS, SETTLE_MS);
    await this.usage.drain(Date.now() + FLUSH_MS);
    this.log.info({ ms: Date.now() - started, ended, spooled: this.usage.stats().events }, 'shutdown: attempts done and usage flushed');
  }
}
