import { randomUUID } from 'node:crypto';
import { Injectable, type OnModuleDestroy } from '@nestjs/common';
import { context, ROOT_CONTEXT } from '@opentelemetry/api';
import { type HoldPlaced, Subjects } from '@tokenflow/contracts';
import { NatsBus } from '@tokenflow/messaging';
import { createLogger } from '@tokenflow/observability';

/** Longest a granted hold waits before its ledger event is sent, and the most holds one event carries. */
const FLUSH_MS = 5;
const MAX_HOLDS = 500;

/**
 * Sends granted holds to settlement for the ledger, off the hot path: the hold's reply never waits for it, and the
 * holds of a few milliseconds travel as one JetStream event. A hold whose event is lost (a crash before the flush)
 * is still recorded: its release writes the hold entry too, from the same amount.
 */
@Injectable()
export class HoldRecorder implements OnModuleDestroy {
  private readonly log = createLogger('billing.hold-recorder');
  private pending: HoldPlaced[] = [];
  private timer: NodeJS.Timeout | null = null;
  private readonly inFlight = new Set<Promise<void>>();

  constructor(private readonly bus: NatsBus) {}

  record(hold: HoldPlaced): void {
    this.pending.push(hold);
    if (this.pending.length >= MAX_HOLDS) this.flush();
    else this.timer ??= setTimeout(() => this.flush(), FLUSH_MS);
  }

  private flush(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    if (this.pending.length === 0) return;
    const holds = this.pending;
    this.pending = [];
    // Each hold entry has its own idempotency key in the ledger, so the event's id only needs to be unique. The batch
    // belongs to no one request's trace: published outside whichever request's context scheduled the flush.
    const sent = context
      .with(ROOT_CONTEXT, () => this.bus.publishDurable(Subjects.billingHoldsPlaced, { holds }, `holds:${randomUUID()}`))
      .catch((err: unknown) => this.log.warn({ err, holds: holds.length }, 'hold events not published; their releases will record them'))
      .finally(() => this.inFlight.delete(sent));
    this.inFlight.add(sent);
  }

  /** Before the bus closes (beforeApplicationShutdown), so the last holds still reach JetStream. */
  async onModuleDestroy(): Promise<void> {
    this.flush();
    await Promise.all(this.inFlight);
  }
}
