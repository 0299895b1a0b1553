import { randomUUID } from 'node:crypto';
import { Inject, Injectable, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import { MAX_TTFT_SAMPLES, type PlannedAttempt, Subjects, type TargetStats } from '@tokenflow/contracts';
import { NatsBus } from '@tokenflow/messaging';
import { createLogger } from '@tokenflow/observability';
import { ADAPTER_CONFIG, type AdapterConfig } from '../config';
import type { AttemptOutcome } from './attempt-outcome';

type Target = Pick<PlannedAttempt, 'channelId' | 'keyRef'> & { model: string };

/** One channel key's counters for the current interval (in-flight carries over). */
interface Window extends TargetStats {
  /** Successful attempts with a first token this interval: the reservoir sample's denominator. */
  ttftSeen: number;
  /** Anything happened this interval (an attempt started or ended). */
  active: boolean;
}

/**
 * Counts this replica's attempts per channel key and model and broadcasts them as one `tf.adapter.health-report.v1` per
 * interval, which every router replica folds into its breakers and routing weights. Nothing is published per
 * request: a busy replica costs the bus one message per interval, however many attempts it runs.
 *
 * A key appears in a report while it has activity or attempts in flight, once more at in-flight 0 after the last
 * one ends (so routers see it drain), then it is forgotten: memory follows the keys in use, not every key ever seen.
 * An idle replica sends nothing; a report's in-flight counts replace the replica's previous ones, and routers
 * forget a replica that stays silent.
 */
@Injectable()
export class HealthRecorder implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly log = createLogger('provider-adapter.health');
  /** Random per process: routers key in-flight counts by it, and a restarted replica must not inherit the old ones. */
  readonly replica = randomUUID();
  private readonly windows = new Map<string, Window>();
  private timer: NodeJS.Timeout | null = null;

  constructor(
    private readonly bus: NatsBus,
    @Inject(ADAPTER_CONFIG) private readonly config: Pick<AdapterConfig, 'HEALTH_REPORT_MS'>,
  ) {}

  onApplicationBootstrap(): void {
    this.timer = setInterval(() => this.report(), this.config.HEALTH_REPORT_MS);
    // A report timer must never keep a process alive that has nothing else to do.
    this.timer.unref();
  }

  /** Before the bus drains (MessagingModule closes it at `beforeApplicationShutdown`). */
  onModuleDestroy(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  started(t: Target): void {
    const w = this.window(t);
    w.inFlight++;
    w.active = true;
  }

  ended(t: Target, outcome: AttemptOutcome): void {
    const w = this.window(t);
    w.inFlight = Math.max(0, w.inFlight - 1);
    w.active = true;
    switch (outcome.kind) {
      case 'ok':
        w.ok++;
        w.outputTokens += outcome.outputTokens;
        w.streamMs += outcome.streamMs;
        if (outcome.ttftMs !== null) sample(w, outcome.ttftMs);
        break;
      case 'failed':
        w.failed++;
        break;
      case 'key_failed':
        w.keyFailed++;
        break;
      case 'neutral':
        break;
    }
  }

  /** The interval's statistics, and a fresh interval: keys idle since the last report are dropped. */
  collect(): TargetStats[] {
    const out: TargetStats[] = [];
    for (const [id, w] of this.windows) {
      if (!w.active && w.inFlight === 0) {
        this.windows.delete(id);
        continue;
      }
      const { channelId, keyRef, model, inFlight, ok, failed, keyFailed, ttftMs, outputTokens, streamMs } = w;
      out.push({ channelId, keyRef, model, inFlight, ok, failed, keyFailed, ttftMs, outputTokens, streamMs });
      Object.assign(w, { ok: 0, failed: 0, keyFailed: 0, ttftMs: [], ttftSeen: 0, outputTokens: 0, streamMs: 0, active: false });
    }
    return out;
  }

  private report(): void {
    const targets = this.collect();
    if (targets.length === 0) return;
    try {
      this.bus.emit(Subjects.adapterHealthReport, { replica: this.replica, intervalMs: this.config.HEALTH_REPORT_MS, targets });
    } catch (err) {
      // The connection is closing (shutdown) or gone: the next interval's report carries the same in-flight counts.
      this.log.warn({ err: (err as Error)?.message }, 'health report not sent');
    }
  }

  private window(t: Target): Window {
    const id = `${t.channelId}\u0000${t.keyRef}\u0000${t.model}`;
    let w = this.windows.get(id);
    if (!w) {
      w = { channelId: t.channelId, keyRef: t.keyRef, model: t.model, inFlight: 0, ok: 0, failed: 0, keyFailed: 0, ttftMs: [], ttftSeen: 0, outputTokens: 0, streamMs: 0, active: false };
      this.windows.set(id, w);
    }
    return w;
  }
}

/** Reservoir sampling: every successful attempt of the interval is equally likely to be in the bounded sample. */
function sample(w: Window, ttftMs: number): void {
  w.ttftSeen++;
  if (w.ttftMs.length < MAX_TTFT_SAMPLES) {
    w.ttftMs.push(ttftMs);
    return;
  }
  const slot = Math.floor(Math.random() * w.ttftSeen);
  if (slot < MAX_TTFT_SAMPLES) w.ttftMs[slot] = ttftMs;
}
