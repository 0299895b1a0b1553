import { Injectable } from '@nestjs/common';
import { type HealthChangedEvent, type HealthReport, type KeyFailedEvent, Subjects } from '@tokenflow/contracts';
import { NatsBus } from '@tokenflow/messaging';
import { createLogger } from '@tokenflow/observability';
import { HealthBook } from './health-book';

/**
 * Feeds the health book from the bus and tells every replica what changed. Each replica hears every adapter report
 * and every key verdict, so their books agree; a breaker transition is applied here at once and broadcast, and a
 * replica that decided the same transition itself ignores the echo.
 */
@Injectable()
export class HealthService {
  private readonly log = createLogger('router.health');

  constructor(
    private readonly book: HealthBook,
    private readonly bus: NatsBus,
  ) {}

  listen(): void {
    this.bus.on(Subjects.adapterHealthReport, (report) => this.report(report));
    this.bus.on(Subjects.routerKeyFailed, (ev) => this.keyFailed(ev));
    this.bus.on(Subjects.routerHealthChanged, (ev) => void this.book.apply(ev));
  }

  report(report: HealthReport): void {
    for (const ev of this.book.fold(report)) this.change(ev);
  }

  keyFailed(ev: KeyFailedEvent): void {
    const change = this.book.keyFailed(ev);
    if (change) this.change(change);
  }

  /** Applies a transition here and broadcasts it (the probe job's verdicts come this way too). */
  change(ev: HealthChangedEvent): void {
    if (!this.book.apply(ev)) return;
    this.log.info({ channelId: ev.channelId, keyRef: ev.keyRef, state: ev.state, reason: ev.reason, until: ev.until }, 'health changed');
    this.bus.emit(Subjects.routerHealthChanged, ev);
  }
}
