import { Inject, Injectable, type OnApplicationBootstrap, type OnApplicationShutdown, type OnModuleDestroy } from '@nestjs/common';
import type { ProbeReply } from '@tokenflow/contracts';
import { createLogger, QueueDepthGauge } from '@tokenflow/observability';
import { Queue, Worker } from 'bullmq';
import { Redis } from 'ioredis';
import { ROUTER_CONFIG, type RouterConfig } from '../config';
import { cooldownMs, disabledRetryMs } from './breaker-policy';
import { ChannelProber, PROBE_BUDGET_MS } from './channel-prober';
import { HealthBook, type TargetId } from './health-book';
import { HealthService } from './health.service';

/** Probes one run sends at once: many keys disabled together must not become as many simultaneous upstream calls. */
const PROBE_CONCURRENCY = 8;
/** Answers that prove the upstream is up and took the key, though it did not like the one-token request. */
const ALIVE_CODES = new Set(['invalid_request', 'context_length_exceeded']);

/**
 * The breakers' way back: a repeatable BullMQ job (one run at a time across router replicas) that probes every key
 * and channel whose cool-down is over or that was disabled, with one minimal request each (a channel through the
 * model its breaker guards). A pass closes the breaker; a failure opens it again for a longer cool-down (a disabled
 * key stays disabled, probed less often). Every verdict is a `HealthChangedEvent`, so every replica applies it.
 */
@Injectable()
export class ProbeJob implements OnApplicationBootstrap, OnModuleDestroy, OnApplicationShutdown {
  private readonly log = createLogger('router.probe');
  /** Also what the router's readiness reads (`router-ops.ts`). */
  readonly connection: Redis;
  private queue: Queue | null = null;
  private worker: Worker | null = null;

  constructor(
    private readonly book: HealthBook,
    private readonly health: HealthService,
    private readonly prober: ChannelProber,
    @Inject(ROUTER_CONFIG) private readonly config: RouterConfig,
    private readonly queueDepth: QueueDepthGauge,
  ) {
    this.connection = new Redis(config.REDIS_URL, { maxRetriesPerRequest: null });
    this.connection.on('error', (err: Error) => this.log.warn({ err: err.message }, 'probe job: Redis connection error'));
  }

  onApplicationBootstrap(): void {
    const name = `tf-${this.config.TF_NAMESPACE || 'default'}-router-probes`;
    this.queue = new Queue(name, { connection: this.connection });
    this.queueDepth.watch(this.queue);
    // Not awaited: a router whose Redis is down still plans (open breakers whose cool-down is over are then planned
    // last, so traffic heals them); the schedule is written once Redis is back.
    this.queue
      .upsertJobScheduler('probe-breakers', { every: this.config.PROBE_INTERVAL_MS }, { name: 'probe-breakers', opts: { removeOnComplete: 100, removeOnFail: 100 } })
      .catch((err: Error) => this.log.error({ err: err.message }, 'probe schedule not written'));
    this.worker = new Worker(name, () => this.run(), { connection: this.connection, concurrency: 1 });
    this.worker.on('error', (err: Error) => this.log.warn({ err: err.message }, 'probe worker error'));
  }

  /** Probes everything due, a few at a time; returns how many probes ran. */
  async run(): Promise<number> {
    const due = this.book.dueForProbe();
    let next = 0;
    const worker = async () => {
      while (next < due.length) await this.probe(due[next++]);
    };
    await Promise.all(Array.from({ length: Math.min(PROBE_CONCURRENCY, due.length) }, worker));
    return due.length;
  }

  private async probe(target: TargetId & { breaker: { state: string; strikes: number } }): Promise<void> {
    const { channelId, keyRef, model, breaker } = target;
    const ch = this.prober.channel(channelId);
    // A channel deleted meanwhile: nothing to probe; a disabled channel is the operator's, not the breaker's.
    if (!ch || !ch.enabled || ch.apiKeys.length === 0) return;
    const asked = model && ch.models.includes(model) ? model : ch.models[0];
    // Held half-open for the probe's budget: a run that dies mid-probe leaves it due again, not stuck.
    this.health.change(this.book.event(target, 'half_open', 'probing', Date.now() + PROBE_BUDGET_MS, breaker.strikes));
    // A channel is probed through its first key that is not itself out.
    const result = await this.prober.probe(ch, keyRef ?? this.prober.firstUsableKey(ch), asked);
    const now = Date.now();
    if (passed(result)) {
      this.log.info({ channelId, keyRef, model, latencyMs: result.latencyMs }, 'probe passed');
      // The strikes stay: a target that fails again soon after gets a longer cool-down (they start over after a quiet spell).
      this.health.change(this.book.event(target, 'closed', `probe passed in ${result.latencyMs} ms`, null, breaker.strikes, now));
      return;
    }
    const why = `probe failed: ${result.error?.message ?? 'no answer'}`;
    const strikes = breaker.strikes + 1;
    if (breaker.state === 'disabled') this.health.change(this.book.event(target, 'disabled', why, now + disabledRetryMs(strikes, this.config), strikes, now));
    else this.health.change(this.book.event(target, 'open', why, now + cooldownMs(strikes, this.config), strikes, now));
  }

  /** Before the bus drains: a probe in flight finishes (or is abandoned) while it can still be answered. */
  async onModuleDestroy(): Promise<void> {
    await this.worker?.close();
  }

  async onApplicationShutdown(): Promise<void> {
    await this.queue?.close();
    // BullMQ does not close a connection it was given.
    this.connection.disconnect();
  }
}

function passed(r: ProbeReply): boolean {
  return r.ok || (r.error !== null && ALIVE_CODES.has(r.error.code));
}
