import { Injectable } from '@nestjs/common';
import { DurableConsumers, type SettlementLagReply } from '@tokenflow/contracts';
import { NatsBus } from '@tokenflow/messaging';
import { ParkedUsageRepository } from '../parked/parked-usage.repository';
import { LedgerHealth } from './ledger-health';

const ageSeconds = (since: Date | null, now: number) => (since ? Math.max(0, Math.round((now - since.getTime()) / 100) / 10) : 0);

/**
 * How far settlement is behind: the usage stream's events its durable consumer has not acknowledged (the oldest
 * one's age comes from its stored timestamp, the one just past the ack floor), the parked events, and whether the
 * ledger is writable. Read on demand (the ingress's /metrics, the ledger verify); nothing is kept.
 */
@Injectable()
export class SettlementLagService {
  constructor(
    private readonly bus: NatsBus,
    private readonly parked: ParkedUsageRepository,
    private readonly health: LedgerHealth,
  ) {}

  async lag(): Promise<SettlementLagReply> {
    const now = Date.now();
    const stream = await this.bus.durable.lag(DurableConsumers.billingSettlement);
    // Postgres may be the very thing that is down: the stream's numbers still count then.
    const parked = await this.parked.backlog().catch(() => ({ parked: -1, oldest: null }));
    const down = this.health.unavailableSince;
    return {
      pending: stream.pending,
      oldest_unsettled_seconds: ageSeconds(stream.oldestPendingAt, now),
      parked: parked.parked,
      oldest_parked_seconds: ageSeconds(parked.oldest, now),
      ledger_unavailable_since: down ? down.toISOString() : null,
    };
  }
}
