import { join } from 'node:path';
import { Inject, Injectable, type OnModuleInit } from '@nestjs/common';
import { type InvokeRequest, pricedUsage, Subjects, type TokenUsage, type UsageRecordedEvent } from '@tokenflow/contracts';
import { NatsBus } from '@tokenflow/messaging';
import { activeTraceparent, createLogger } from '@tokenflow/observability';
import { ADAPTER_CONFIG, type AdapterConfig } from '../config';
import { type SpoolEntry, type SpoolStats, UsageSpool } from './usage-spool';

/** How long a caller waits for JetStream's first answer before it relies on the spool (and the event is synced). */
const FIRST_ATTEMPT_MS = 1_000;
/** Retries of spooled events back off from the first to the last, then keep retrying at the last. */
const RETRY_BASE_MS = 250;
const RETRY_MAX_MS = 30_000;
/** Spooled events published at once by the retry pump. */
const CONCURRENCY = 32;
/** Compaction of mostly acknowledged segments, and the reminder while the spool holds anything. */
const MAINTENANCE_MS = 5_000;
const REMIND_MS = 30_000;
/** How often slots left by other processes (a replica stopped in a rolling deploy) are looked for and taken over. */
const ADOPT_MS = 10_000;

type Timing = { ttftMs: number | null; durationMs: number };

/** The usage event of one attempt (its id, `<requestId>:<attempt>`, is the JetStream msgId). */
export function usageEvent(req: InvokeRequest, usage: TokenUsage, source: 'upstream' | 'estimated', outcome: UsageRecordedEvent['outcome'], timing: Timing): UsageRecordedEvent {
  return {
    eventId: `${req.requestId}:${req.attemptNo}`,
    requestId: req.requestId,
    attemptNo: req.attemptNo,
    accountId: req.accountId,
    keyId: req.keyId,
    model: req.model,
    channelId: req.attempt.channelId,
    provider: req.attempt.provider,
    upstreamModel: req.attempt.upstreamModel,
    promptTokens: usage.prompt_tokens ?? 0,
    completionTokens: usage.completion_tokens ?? 0,
    cachedTokens: usage.prompt_tokens_details?.cached_tokens ?? 0,
    reasoningTokens: usage.completion_tokens_details?.reasoning_tokens ?? 0,
    ...pricedParts(usage, req.price),
    usageSource: source,
    outcome,
    ...(req.category ? { category: req.category } : {}),
    inputNanoPerToken: req.price.inputNanoPerToken,
    outputNanoPerToken: req.price.outputNanoPerToken,
    cachedInputNanoPerToken: req.price.cachedInputNanoPerToken,
    ttftMs: timing.ttftMs,
    durationMs: timing.durationMs,
    occurredAt: new Date().toISOString(),
  };
}

/**
 * The parts of usage the price book may price above plain tokens — cache writes (of which 1-hour ones) and audio —
 * with the prices quoted for them at the request's start; only what the upstream reported and the quote has.
 */
function pricedParts(usage: TokenUsage, price: InvokeRequest['price']): Partial<UsageRecordedEvent> {
  // The counts as the ledger and the client's cost header read them (one mapping, libs/contracts).
  const { cacheWriteTokens, cacheWrite1hTokens, audioPromptTokens, audioCompletionTokens } = pricedUsage(usage);
  const parts: Partial<UsageRecordedEvent> = { cacheWriteTokens, cacheWrite1hTokens, audioPromptTokens, audioCompletionTokens };
  for (const k of ['cacheWriteNanoPerToken', 'cacheWrite1hNanoPerToken', 'audioInputNanoPerToken', 'audioOutputNanoPerToken'] as const) {
    if (price[k] !== undefined) parts[k] = price[k];
  }
  for (const k of Object.keys(parts) as (keyof typeof parts)[]) if (parts[k] === undefined) delete parts[k];
  return parts;
}

/**
 * Publishes usage to JetStream and never forgets an event. Each event is first journaled in the spool
 * (`usage-spool.ts`: one synchronous write, so a crash of this process from then on cannot lose it), then published
 * with its event id as the msgId; JetStream's ack removes it from the spool. An event JetStream does not take
 * (down, slow, the stream missing) stays spooled and is retried with capped backoff until it is acknowledged, across
 * restarts: at boot the adapter replays what its spool directory holds. A replay is deduplicated by JetStream
 * (the msgId) and by billing's idempotency key, so the ledger counts it once.
 *
 * `publish` resolves when the event is safe: acknowledged by JetStream, or (after FIRST_ATTEMPT_MS or a failure)
 * fsynced in the spool. The stream is billing's (`Streams.usage`): this only publishes.
 */
@Injectable()
export class UsagePublisher implements OnModuleInit {
  private readonly log = createLogger('provider-adapter.usage');
  private spool: UsageSpool | null = null;
  private pumping: Promise<void> | null = null;
  private stopped = false;
  private failing = false;
  private wake: (() => void) | null = null;
  private maintenance: NodeJS.Timeout | null = null;
  private lastReminder = 0;
  private lastAdoption = 0;
  private adopting = false;

  constructor(
    private readonly bus: NatsBus,
    @Inject(ADAPTER_CONFIG) private readonly config: Pick<AdapterConfig, 'USAGE_SPOOL_DIR' | 'USAGE_SPOOL_MEMORY_EVENTS' | 'USAGE_SPOOL_SEGMENT_BYTES' | 'TF_NAMESPACE'>,
  ) {}

  /** Opens the spool (a directory this process cannot use stops the boot) and replays what earlier processes left. */
  async onModuleInit(): Promise<void> {
    // One subtree per namespace: a replay must go to the JetStream namespace its event was meant for.
    const dir = join(this.config.USAGE_SPOOL_DIR, this.config.TF_NAMESPACE || 'default');
    try {
      this.spool = UsageSpool.open({ dir, segmentBytes: this.config.USAGE_SPOOL_SEGMENT_BYTES, maxMemory: this.config.USAGE_SPOOL_MEMORY_EVENTS, log: this.log });
    } catch (err) {
      throw new Error(`USAGE_SPOOL_DIR ${this.config.USAGE_SPOOL_DIR} is not usable: ${(err as Error).message}`);
    }
    const recovered = await this.spool.recover();
    if (recovered > 0) this.log.warn({ events: recovered, dir: this.spool.slotDir }, 'usage spool: replaying events an earlier process left unpublished');
    this.lastAdoption = Date.now();
    this.maintenance = setInterval(() => this.maintain(), MAINTENANCE_MS);
    this.maintenance.unref();
    closeAtExit(this);
    this.kick();
  }

  async publish(req: InvokeRequest, usage: TokenUsage, source: 'upstream' | 'estimated', outcome: UsageRecordedEvent['outcome'], timing: Timing): Promise<void> {
    const event = usageEvent(req, usage, source, outcome, timing);
    // The attempt's span (tracing on), carried by the event itself: a replay from the spool keeps its trace.
    const traceparent = activeTraceparent();
    await this.record(traceparent ? { ...event, traceparent } : event);
  }

  /** Resolves once `event` is acknowledged by JetStream or durably spooled (see the class comment). */
  async record(event: UsageRecordedEvent): Promise<void> {
    const spool = this.spool;
    if (!spool) return this.lastResort(event);
    let entry: SpoolEntry | null;
    try {
      entry = spool.add(event);
    } catch (err) {
      this.log.error({ err: (err as Error).message }, 'usage spool: write failed');
      return this.lastResort(event);
    }
    // Past `drain` (an attempt that outlived the shutdown's flush): journaled and synced, left for the next start
    // (or a replica taking this slot over) to publish.
    if (this.stopped) {
      await spool.sync();
      this.log.warn({ eventId: event.eventId }, 'usage spool: event recorded after the flush, left for the next start');
      return;
    }
    // On disk only (memory full) or a copy of one pending: the pump publishes it in its turn.
    if (!entry) {
      await spool.sync();
      this.kick();
      return;
    }
    const first = this.attempt(entry);
    let timer: NodeJS.Timeout | undefined;
    const acked = await Promise.race([first, new Promise<false>((r) => (timer = setTimeout(() => r(false), FIRST_ATTEMPT_MS)))]);
    clearTimeout(timer);
    if (!acked) await spool.sync();
  }

  stats(): SpoolStats {
    return this.spool?.stats() ?? { events: 0, oldestAgeMs: 0, bytes: 0, segments: 0, adopted: 0, orphaned: 0 };
  }

  /**
   * For shutdown: retries what is pending at once until it is all acknowledged or `deadline` (epoch ms) passes, then
   * stops publishing. The spool stays open until the process exits (`close`): usage recorded later is still journaled
   * and waits there, with what was left, for the next process.
   */
  async drain(deadline: number): Promise<void> {
    if (!this.spool || this.stopped) return;
    this.failing = false;
    while (this.spool.pending > 0 && Date.now() < deadline) {
      this.kick();
      this.wake?.();
      await sleep(Math.min(50, Math.max(1, deadline - Date.now())));
    }
    this.stopped = true;
    this.wake?.();
    await this.spool.sync();
    const left = this.spool.stats();
    if (left.events > 0) this.log.warn({ events: left.events, dir: this.spool.slotDir }, 'usage spool: events left for the next start to publish');
  }

  /** Syncs and closes the spool and releases its slot (at process exit; tests call it as the exit). */
  close(): void {
    this.stopped = true;
    if (this.maintenance) clearInterval(this.maintenance);
    this.maintenance = null;
    openPublishers.delete(this);
    try {
      this.spool?.closeNow();
    } catch (err) {
      this.log.error({ err: (err as Error)?.message }, 'usage spool: close failed');
    }
  }

  /** One publish of a pending entry; true once JetStream acknowledged it. Never throws. */
  private async attempt(entry: SpoolEntry): Promise<boolean> {
    entry.inflight = true;
    try {
      await this.bus.publishDurable(Subjects.usageRecorded, entry.event, entry.event.eventId, { traceparent: entry.event.traceparent });
      this.spool?.ack(entry);
      if (this.failing && this.spool?.pending === 0) {
        this.failing = false;
        this.log.info('usage spool: every spooled event is published');
      }
      return true;
    } catch (err) {
      if (!this.failing) {
        this.failing = true;
        this.log.warn({ err: (err as Error)?.message, eventId: entry.event.eventId }, 'usage events not acknowledged by JetStream: spooled, retrying until they are');
      }
      this.kick();
      return false;
    } finally {
      entry.inflight = false;
    }
  }

  /** Starts the retry pump unless it runs: it publishes what is pending, oldest first, until nothing is due. */
  private kick(): void {
    if (this.pumping || this.stopped || !this.spool) return;
    this.pumping = this.pump()
      .catch((err: unknown) => this.log.error({ err }, 'usage spool: retry pump failed'))
      .finally(() => (this.pumping = null));
  }

  private async pump(): Promise<void> {
    let delay = RETRY_BASE_MS;
    // A failed first attempt kicks the pump before its own caller has synced: let that settle first.
    await sleep(RETRY_BASE_MS);
    while (!this.stopped && this.spool) {
      this.spool.refill();
      const batch = this.spool.due(CONCURRENCY);
      if (batch.length === 0) return;
      const results = await Promise.all(batch.map((entry) => this.attempt(entry)));
      if (results.every(Boolean)) {
        delay = RETRY_BASE_MS;
        continue;
      }
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, delay);
        this.wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      this.wake = null;
      delay = Math.min(delay * 2, RETRY_MAX_MS);
    }
  }

  private maintain(): void {
    if (!this.spool) return;
    // Kept up after `drain` too: the slot is ours until the process exits.
    this.spool.heartbeat();
    if (this.stopped) return;
    if (Date.now() - this.lastAdoption >= ADOPT_MS) {
      this.lastAdoption = Date.now();
      void this.adopt();
    }
    this.spool.compact().catch((err: unknown) => this.log.warn({ err: (err as Error)?.message }, 'usage spool: compaction failed'));
    const stats = this.spool.stats();
    // Events in their first attempt are not news; ones waiting longer than a maintenance round are.
    if (stats.oldestAgeMs >= MAINTENANCE_MS && Date.now() - this.lastReminder >= REMIND_MS) {
      this.lastReminder = Date.now();
      this.log.warn({ events: stats.events, oldestAgeMs: stats.oldestAgeMs, bytes: stats.bytes }, 'usage spool: events still waiting for JetStream');
    }
    this.kick();
  }

  /** Takes over the slots of processes gone (see `UsageSpool.adoptOrphans`) and publishes what they left. */
  async adopt(): Promise<number> {
    const spool = this.spool;
    if (!spool || this.stopped || this.adopting) return 0;
    this.adopting = true;
    try {
      if (spool.adoptOrphans() === 0) return 0;
      const recovered = await spool.recover();
      if (recovered > 0) this.log.warn({ events: recovered }, 'usage spool: took over events another process left unpublished');
      this.kick();
      return recovered;
    } catch (err) {
      this.log.warn({ err: (err as Error)?.message }, 'usage spool: taking over leftover slots failed');
      return 0;
    } finally {
      this.adopting = false;
    }
  }

  /** No spool (closed, or its disk failed): a few direct tries, then the event is logged whole for a manual replay. */
  private async lastResort(event: UsageRecordedEvent): Promise<void> {
    for (const wait of [0, 250, 1_000]) {
      await sleep(wait);
      try {
        await this.bus.publishDurable(Subjects.usageRecorded, event, event.eventId, { traceparent: event.traceparent });
        return;
      } catch {
        // next try
      }
    }
    this.log.error({ event }, 'usage event could not be published or spooled');
  }
}

/** Publishers whose spool closes when the process exits (one `exit` listener for them all). */
const openPublishers = new Set<UsagePublisher>();
let exitHooked = false;

function closeAtExit(publisher: UsagePublisher): void {
  openPublishers.add(publisher);
  if (exitHooked) return;
  exitHooked = true;
  process.once('exit', () => [...openPublishers].forEach((p) => p.close()));
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
