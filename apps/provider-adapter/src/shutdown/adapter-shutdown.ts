import { Inject, Injectable, type OnModuleDestroy } from '@nestjs/common';
import { createLogger } from '@tokenflow/observability';
import { AdapterMsController } from '../adapter-ms.controller';
import { ADAPTER_CONFIG, type AdapterConfig } from '../config';
import { InvokeService } from '../invoke/invoke.service';
import { UsagePublisher } from '../usage/usage.publisher';

/** How long attempts ended at their deadline get to send their error frame and publish their usage (at most). */
const SETTLE_MS = 5_000;
/** How long the usage still pending gets to reach JetStream before it is left in the spool for the next start (at most). */
const FLUSH_MS = 3_000;
/** A probe in hand answers within its own 15 s bound. */
const PROBE_MS = 15_000;

/** When the signal arrived (set by `exitOnSignals`): the shutdown's one deadline counts from it. */
let signalledAt: number | null = null;

export function noteShutdownSignal(at = Date.now()): void {
  signalledAt = at;
}

/**
 * How SHUTDOWN_GRACE_MS is shared, so that everything fits in it: the attempts run until `attemptsEnd`, those ended
 * then settle for `settleMs`, and usage flushes for `flushMs` until `deadline`. A short grace shrinks the last two.
 */
export function shutdownPlan(start: number, graceMs: number): { attemptsEnd: number; settleMs: number; flushMs: number; deadline: number } {
  const settleMs = Math.min(SETTLE_MS, Math.floor(graceMs / 4));
  const flushMs = Math.min(FLUSH_MS, Math.floor(graceMs * 0.15));
  const deadline = start + graceMs;
  return { attemptsEnd: deadline - settleMs - flushMs, settleMs, flushMs, deadline };
}

/**
 * The adapter's shutdown, in order, before the bus drains (MessagingModule closes it at `beforeApplicationShutdown`,
 * after every `onModuleDestroy`), all within one deadline fixed at the signal (SHUTDOWN_GRACE_MS after it): stop
 * taking invokes (the queue group serves them from the other replicas), let the attempts in flight finish, end the
 * rest cleanly (an error frame, usage for what they produced), then flush usage to JetStream or leave it in the
 * spool. Every step is fitted inside the deadline, the time spent stopping intake included. Only then may the
 * connection go.
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
    const started = signalledAt ?? Date.now();
    const plan = shutdownPlan(started, this.config.SHUTDOWN_GRACE_MS);
    const until = (t: number) => Math.max(0, t - Date.now());
    await this.controller.stopTaking(Math.min(PROBE_MS, until(plan.attemptsEnd)));
    const ended = await this.invoke.finish(until(plan.attemptsEnd), Math.min(plan.settleMs, until(plan.deadline - plan.flushMs)));
    await this.usage.drain(plan.deadline);
    this.log.info({ ms: Date.now() - started, ended, spooled: this.usage.stats().events }, 'shutdown: attempts done and usage flushed');
  }
}
