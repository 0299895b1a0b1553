import { randomUUID } from 'node:crypto';
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
import { failureReason, transientSettlementFailure } from '../settlement/ledger-errors';
import { LedgerHealth } from '../settlement/ledger-health';
import { compareAndDelete, compareAndPexpire } from '../settlement/owned-keys.lua';
import { SettlementService } from '../settlement/settlement.service';
import { type ParkedRow, ParkedUsageRepository, parkedView } from './parked-usage.repository';

/** Parked rows read per page; a run pages on until none are left. */
const REPLAY_PAGE = 500;
/** Events settled in one transaction: a replay is a redelivery, and settlement takes batches of this size anyway. */
const REPLAY_CHUNK = 100;
/** Most failures one reply lists (the rows keep their reason; `GET .../parked` shows them all). */
const MAX_FAILED_LISTED = 1_000;

/**
 * Parked usage events back into the ledger: every `PARKED_REPLAY_MS` on its own, or when an operator asks
 * (`POST /admin/v1/usage/parked/replay` for all, `.../{id}/replay` for one). Replay-all and the periodic run share
 * one Redis lock (one replica at a time, released only by its holder) and run only while the ledger is available;
 * each walks the whole backlog in chunks of REPLAY_CHUNK events per transaction, so a large backlog clears in
 * minutes, not 500 events a minute. Settlement's idempotency keys make a second application a no-op.
 */
@Injectable()
export class ParkedUsageService implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly log = createLogger('billing.parked-usage');
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<unknown> | null = null;
  private readonly lockKey: string;
  private readonly lockTtlMs: number;

  constructor(
    private readonly parked: ParkedUsageRepository,
    private readonly settlement: SettlementService,
    private readonly health: LedgerHealth,
    private readonly cache: BalanceCache,
    @Inject(BILLING_CONFIG) private readonly config: BillingConfig,
  ) {
    this.lockKey = `tf:${config.TF_NAMESPACE}:parked-replay-lock`;
    this.lockTtlMs = Math.max(30_000, config.PARKED_REPLAY_MS);
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
    this.refuseWhileLedgerDown();
    if (req.id === undefined) {
      const result = await this.locked(() => this.replayAll());
      if (!result) throw new TfError('service_unavailable', 'A replay of parked usage is already running on another billing replica; try again when it has finished.');
      return result;
    }
    if (!/^\d{1,18}$/.test(req.id)) throw new TfError('not_found', `No parked usage event ${req.id}.`);
    const row = await this.parked.get(req.id);
    if (!row) throw new TfError('not_found', `No parked usage event ${req.id}.`);
    return this.replayRows([row]);
  }

  /** The periodic run: skipped while the ledger is down (nothing could be written) or another replica runs it. */
  async replayDue(): Promise<ParkedUsageReplayReply | null> {
    if (this.running || this.health.unavailableSince) return null;
    const run = this.locked(() => this.replayAll()).catch((err: unknown) => {
      this.log.warn({ err }, 'parked usage replay failed');
      return null;
    });
    this.running = run;
    try {
      const result = await run;
      if (result && (result.replayed || result.failed.length)) this.log.info({ replayed: result.replayed, failed: result.failed.length }, 'replayed parked usage events');
      return result;
    } finally {
      this.running = null;
    }
  }

  private refuseWhileLedgerDown(): void {
    const since = this.health.unavailableSince;
    if (since) {
      throw new TfError('ledger_unavailable', `The ledger has been unavailable since ${since.toISOString()}; parked usage is replayed automatically once it is back.`);
    }
  }

  /** Runs `fn` holding the replay lock (null when another replica holds it); only this holder's token releases it. */
  private async locked<T>(fn: () => Promise<T>): Promise<T | null> {
    const token = randomUUID();
    if (!(await this.cache.redis.set(this.lockKey, token, 'PX', this.lockTtlMs, 'NX'))) return null;
    const keepAlive = setInterval(() => void compareAndPexpire(this.cache.redis, this.lockKey, token, this.lockTtlMs).catch(() => undefined), this.lockTtlMs / 3);
    keepAlive.unref();
    try {
      return await fn();
    } finally {
      clearInterval(keepAlive);
      await compareAndDelete(this.cache.redis, this.lockKey, token).catch(() => undefined);
    }
  }

  /** Every row still parked, page by page, stopping early only if the ledger goes down meanwhile. */
  private async replayAll(): Promise<ParkedUsageReplayReply> {
    const total: ParkedUsageReplayReply = { replayed: 0, failed: [] };
    let after = '0';
    for (;;) {
      const rows = await this.parked.list(false, REPLAY_PAGE, after);
      if (rows.length === 0) return total;
      const page = await this.replayRows(rows);
      total.replayed += page.replayed;
      total.failed.push(...page.failed.slice(0, MAX_FAILED_LISTED - total.failed.length));
      after = rows[rows.length - 1].id;
      if (rows.length < REPLAY_PAGE || this.health.unavailableSince) return total;
    }
  }

  /** In chunks of one transaction each; a chunk that fails for an event's sake is retried event by event. */
  private async replayRows(rows: ParkedRow[]): Promise<ParkedUsageReplayReply> {
    const result: ParkedUsageReplayReply = { replayed: 0, failed: [] };
    const open = rows.filter((r) => !r.replayed_at);
    result.replayed += rows.length - open.length;
    for (let i = 0; i < open.length; i += REPLAY_CHUNK) {
      const chunk = open.slice(i, i + REPLAY_CHUNK);
      const events = chunk.map(deliveredOrNull);
      if (chunk.length > 1 && events.every((e) => e !== null)) {
        try {
          await this.settlement.settle(events as DeliveredEvent[]);
          await this.parked.markReplayed(chunk.map((r) => r.id));
          result.replayed += chunk.length;
          continue;
        } catch (err) {
          // The ledger itself is unavailable: no single event would fare better; the next run retries.
          if (transientSettlementFailure(err)) throw err;
        }
      }
      for (const row of chunk) {
        try {
          await this.settlement.settle([deliveredOf(row)]);
          await this.parked.markReplayed([row.id]);
          result.replayed++;
        } catch (err) {
          const reason = failureReason(err);
          await this.parked.markFailed(row.id, reason).catch(() => undefined);
          result.failed.push({ id: row.id, reason });
        }
      }
    }
    return result;
  }
}

function deliveredOrNull(row: ParkedRow): DeliveredEvent | null {
  try {
    return deliveredOf(row);
  } catch {
    return null;
  }
}

/** A parked row as settlement receives events (it is a redelivery). */
function deliveredOf(row: ParkedRow): DeliveredEvent {
  if (!(Streams.usage.subjects as readonly string[]).includes(row.subject)) throw new Error(`not a usage-stream subject: ${row.subject}`);
  return { subject: row.subject as DurableSubject, payload: JSON.parse(row.event), msgId: row.event_key, redelivered: true } as DeliveredEvent;
}
