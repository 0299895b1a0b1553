import { Inject, Injectable, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import {
  type DurableSubject,
  type ParkedUsageListReply,
  type ParkedUsageListRequest,
  type ParkedUsageReplayReply,
  type ParkedUsageReplayRequest,
  Streams,
  TfError,
} from '@tokenflow/contracts';
import type { DeliveredEvent } from '@tokenflow/messaging';
import { createLogger } from '@tokenflow/observability';
import { BILLING_CONFIG, type BillingConfig } from '../config';
import { BalanceCache } from '../holds/balance-cache';
import { failureReason } from '../settlement/ledger-errors';
import { LedgerHealth } from '../settlement/ledger-health';
import { SettlementService } from '../settlement/settlement.service';
import { type ParkedRow, ParkedUsageRepository, parkedView } from './parked-usage.repository';

/** Most parked events one replay-all (or one periodic run) takes on. */
const REPLAY_BATCH = 500;

/**
 * Parked usage events back into the ledger: every `PARKED_REPLAY_MS` on its own (one replica at a time, and only
 * while the ledger is available), or when an operator asks (`POST /admin/v1/usage/parked/{id}/replay`). A replay
 * runs the event through settlement again, whose idempotency keys make a second application a no-op.
 */
@Injectable()
export class ParkedUsageService implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly log = createLogger('billing.parked-usage');
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<unknown> | null = null;
  private readonly lockKey: string;

  constructor(
    private readonly parked: ParkedUsageRepository,
    private readonly settlement: SettlementService,
    private readonly health: LedgerHealth,
    private readonly cache: BalanceCache,
    @Inject(BILLING_CONFIG) private readonly config: BillingConfig,
  ) {
    this.lockKey = `tf:${config.TF_NAMESPACE}:parked-replay-lock`;
  }

  onApplicationBootstrap(): void {
    this.timer = setInterval(() => void this.replayDue(), this.config.PARKED_REPLAY_MS);
    this.timer.unref();
  }

  async onApplicationShutdown(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    await this.running;
  }

  async list(req: ParkedUsageListRequest): Promise<ParkedUsageListReply> {
    const rows = await this.parked.list(req.all === true, Math.min(Math.max(1, req.limit ?? 100), 1_000));
    return { object: 'list', data: rows.map(parkedView) };
  }

  async replay(req: ParkedUsageReplayRequest): Promise<ParkedUsageReplayReply> {
    if (req.id === undefined) return this.replayRows(await this.parked.list(false, REPLAY_BATCH));
    if (!/^\d{1,18}$/.test(req.id)) throw new TfError('not_found', `No parked usage event ${req.id}.`);
    const row = await this.parked.get(req.id);
    if (!row) throw new TfError('not_found', `No parked usage event ${req.id}.`);
    return this.replayRows([row]);
  }

  /** The periodic run: skipped while the ledger is down (nothing could be written) or another replica runs it. */
  async replayDue(): Promise<ParkedUsageReplayReply | null> {
    if (this.running || this.health.unavailableSince) return null;
    const run = (async () => {
      const locked = await this.cache.redis.set(this.lockKey, '1', 'PX', Math.max(30_000, this.config.PARKED_REPLAY_MS), 'NX');
      if (!locked) return null;
      try {
        const rows = await this.parked.list(false, REPLAY_BATCH);
        if (rows.length === 0) return { replayed: 0, failed: [] };
        const result = await this.replayRows(rows);
        this.log.info({ replayed: result.replayed, failed: result.failed.length }, 'replayed parked usage events');
        return result;
      } finally {
        await this.cache.redis.del(this.lockKey);
      }
    })().catch((err: unknown) => {
      this.log.warn({ err }, 'parked usage replay failed');
      return null;
    });
    this.running = run;
    try {
      return await run;
    } finally {
      this.running = null;
    }
  }

  private async replayRows(rows: ParkedRow[]): Promise<ParkedUsageReplayReply> {
    const result: ParkedUsageReplayReply = { replayed: 0, failed: [] };
    for (const row of rows) {
      if (row.replayed_at) {
        result.replayed++;
        continue;
      }
      try {
        await this.settlement.settle([deliveredOf(row)]);
        await this.parked.markReplayed(row.id);
        result.replayed++;
      } catch (err) {
        const reason = failureReason(err);
        await this.parked.markFailed(row.id, reason).catch(() => undefined);
        result.failed.push({ id: row.id, reason });
      }
    }
    return result;
  }
}

/** A parked row as settlement receives events (it is a redelivery). */
function deliveredOf(row: ParkedRow): DeliveredEvent {
  if (!(Streams.usage.subjects as readonly string[]).includes(row.subject)) throw new Error(`not a usage-stream subject: ${row.subject}`);
  return { subject: row.subject as DurableSubject, payload: JSON.parse(row.event), msgId: row.event_key, redelivered: true } as DeliveredEvent;
}
