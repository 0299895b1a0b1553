import type { HealthChangedEvent, HealthReport, HealthState, HealthView, KeyFailedEvent } from '@tokenflow/contracts';
import { type BreakerConfig, cooldownMs, disabledRetryMs, rateLimitCooldownMs, shouldTrip } from './breaker-policy';
import { RollingWindow } from './rolling-window';

/** One key's or channel's health as plans read it. */
export interface TargetHealth {
  state: HealthState;
  reason: string | null;
  /** open/cooling: when it may be tried again; disabled: when it is probed next. */
  until: number | null;
  strikes: number;
  attempts: number;
  failed: number;
  p50TtftMs: number | null;
  p95TtftMs: number | null;
  tokensPerSecond: number | null;
  inFlight: number;
}

/** What the attempt selection reads: a pure lookup, so the choice can run wherever a snapshot is kept. */
export interface HealthSnapshot {
  /** A channel's health for one model (its breaker is per model). */
  channel(channelId: string, model: string): TargetHealth;
  /** A key's health over all the models it served. */
  key(channelId: string, keyRef: string): TargetHealth;
}

/**
 * What a breaker guards: a key (all its models), a channel for one model, or — for the admin view only, never
 * tripped — a channel over all its models.
 */
export interface TargetId {
  channelId: string;
  keyRef: string | null;
  model: string | null;
}

interface Breaker {
  state: HealthState;
  reason: string | null;
  until: number | null;
  strikes: number;
  /** When it last changed state. */
  since: number;
}

interface Target {
  id: TargetId;
  window: RollingWindow;
  breaker: Breaker;
  /** Each adapter replica's last in-flight count, when it said so and how long that stays true. */
  inFlight: Map<string, { n: number; at: number; ttl: number }>;
  summary: { at: number; value: TargetHealth } | null;
}

const CLOSED: Breaker = { state: 'closed', reason: null, until: null, strikes: 0, since: 0 };
/** A replica that stopped reporting (gone) no longer counts after this many of its intervals. */
const STALE_INTERVALS = 3;
/** Summaries are reused this long: plans read them many times a second, reports change them once a second. */
const SUMMARY_TTL_MS = 250;

/** Map keys: NUL never appears in ids, model names or fingerprints. */
const keyOf = (t: TargetId) => `${t.channelId}\u0000${t.keyRef ?? ''}\u0000${t.model ?? ''}`;

/**
 * Every router replica's view of key and channel health: adapter reports (every replica hears them all) fold into
 * rolling windows, and breaker transitions — decided here from the windows, from an upstream's verdict on a key,
 * or by the probe job — are applied the same way on every replica through `HealthChangedEvent`s.
 */
export class HealthBook implements HealthSnapshot {
  private readonly targets = new Map<string, Target>();

  constructor(
    private readonly config: BreakerConfig & { HEALTH_WINDOW_MS: number },
    private readonly clock: () => number = Date.now,
  ) {}

  channel(channelId: string, model: string): TargetHealth {
    return this.summary({ channelId, keyRef: null, model });
  }

  key(channelId: string, keyRef: string): TargetHealth {
    return this.summary({ channelId, keyRef, model: null });
  }

  /**
   * Folds one adapter replica's report in; returns the transitions it causes. Channel windows (per model) and key
   * windows count the failures that speak about the upstream; the key-specific ones (credentials, credit, rate
   * limits) arrive as `KeyFailedEvent`s and act on the key at once instead.
   */
  fold(report: HealthReport): HealthChangedEvent[] {
    const now = this.clock();
    const ttl = STALE_INTERVALS * report.intervalMs;
    const touched = new Map<string, { target: Target; ok: number; failed: number; inFlight: number }>();
    const add = (id: TargetId, ok: number, failed: number, inFlight: number) => {
      const k = keyOf(id);
      let t = touched.get(k);
      if (!t) touched.set(k, (t = { target: this.target(id), ok: 0, failed: 0, inFlight: 0 }));
      t.ok += ok;
      t.failed += failed;
      t.inFlight += inFlight;
    };
    for (const s of report.targets) {
      for (const id of [
        { channelId: s.channelId, keyRef: s.keyRef, model: null },
        { channelId: s.channelId, keyRef: null, model: s.model },
        { channelId: s.channelId, keyRef: null, model: null },
      ]) {
        this.target(id).window.add(now, s.ok, s.failed, s.outputTokens, s.streamMs, s.ttftMs);
        add(id, s.ok, s.failed, s.inFlight);
      }
    }
    const changes: HealthChangedEvent[] = [];
    for (const { target, ok, failed, inFlight } of touched.values()) {
      target.inFlight.set(report.replica, { n: inFlight, at: now, ttl });
      target.summary = null;
      if (target.id.keyRef === null && target.id.model === null) continue;
      const change = this.judge(target, ok, failed, now);
      if (change) changes.push(change);
    }
    return changes;
  }

  /** An upstream's verdict on one key: bad credentials or no credit disable it until a probe passes; a rate limit cools it. */
  keyFailed(ev: KeyFailedEvent): HealthChangedEvent | null {
    const now = this.clock();
    const id: TargetId = { channelId: ev.channelId, keyRef: ev.keyFingerprint, model: null };
    const current = this.targets.get(keyOf(id))?.breaker ?? CLOSED;
    if (ev.reason === 'rate_limited') {
      const until = now + rateLimitCooldownMs(ev.retryAfterMs, this.config);
      if (current.state !== 'closed' && current.state !== 'cooling') return null;
      if (current.state === 'cooling' && (current.until ?? 0) >= until) return null;
      return this.event(id, 'cooling', 'the upstream rate-limited this key', until, current.strikes, now);
    }
    if (current.state === 'disabled') return null;
    const reason = ev.reason === 'auth' ? 'the upstream rejected the credentials' : 'the upstream account is out of credit';
    // Probed at the next probe run: a key fixed upstream comes back within a probe interval.
    return this.event(id, 'disabled', reason, now + this.config.PROBE_INTERVAL_MS, Math.max(1, current.strikes), now);
  }

  /** Applies a transition (this replica's or another's); an identical one changes nothing. */
  apply(ev: HealthChangedEvent): boolean {
    const target = this.target({ channelId: ev.channelId, keyRef: ev.keyRef, model: ev.model });
    const b = target.breaker;
    if (b.state === ev.state && b.until === ev.until && b.strikes === ev.strikes) return false;
    target.breaker = { state: ev.state, reason: ev.state === 'closed' ? null : ev.reason, until: ev.until, strikes: ev.strikes, since: ev.at };
    if (ev.state === 'closed') target.window.clear();
    target.summary = null;
    return true;
  }

  /** Targets whose breaker waits for a probe now: open with its cool-down over, disabled and due, or a probe that never reported. */
  dueForProbe(): (TargetId & { breaker: Breaker })[] {
    const now = this.clock();
    const due: (TargetId & { breaker: Breaker })[] = [];
    for (const t of this.targets.values()) {
      const { state, until } = t.breaker;
      if ((state === 'open' || state === 'disabled' || state === 'half_open') && until !== null && until <= now) due.push({ ...t.id, breaker: t.breaker });
    }
    return due;
  }

  /** An operator changed the channel (new keys, a fixed URL): its old verdicts and numbers no longer apply. */
  forgetChannel(channelId: string): void {
    for (const [k, t] of this.targets) if (t.id.channelId === channelId) this.targets.delete(k);
  }

  /** The admin API's view of one target. */
  view(id: TargetId): HealthView {
    const h = this.summary(id);
    return {
      status: h.state,
      reason: h.reason,
      until: h.until === null || h.state === 'closed' ? null : new Date(h.until).toISOString(),
      error_rate: h.attempts ? Math.round((1000 * h.failed) / h.attempts) / 1000 : null,
      attempts_in_window: h.attempts,
      p50_ttft_ms: h.p50TtftMs,
      tokens_per_second: h.tokensPerSecond,
      in_flight: h.inFlight,
    };
  }

  event(id: TargetId, state: HealthState, reason: string, until: number | null, strikes: number, at = this.clock()): HealthChangedEvent {
    return { channelId: id.channelId, keyRef: id.keyRef, model: id.model, state, reason, until, strikes, at };
  }

  /**
   * What a report says about a breaker. Closed (a channel's, per model): it trips when the window fails enough (strikes start over after a
   * quiet spell as long as the longest cool-down). Out but due (planned as a last resort): traffic decides like a
   * probe — an answer closes it, a failure reopens it for longer.
   */
  private judge(target: Target, ok: number, failed: number, now: number): HealthChangedEvent | null {
    const b = target.breaker;
    const live = b.state === 'closed' || (b.state === 'cooling' && (b.until ?? 0) <= now);
    // Error rates trip a channel's breaker for a model. A key is judged by the upstream's verdicts on it (credentials,
    // credit, rate limits): a server error says nothing about the key, and would take it out for every model.
    if (live && target.id.model === null) return null;
    if (live) {
      const w = target.window.totals(now);
      if (!shouldTrip(w.ok + w.failed, w.failed, this.config)) return null;
      const strikes = now - b.since > this.config.BREAKER_MAX_COOLDOWN_MS ? 1 : b.strikes + 1;
      const rate = Math.round((100 * w.failed) / (w.ok + w.failed));
      const why = `error rate ${rate}% (${w.failed} of ${w.ok + w.failed} attempts) in the last ${Math.round(this.config.HEALTH_WINDOW_MS / 1000)} s`;
      return this.event(target.id, 'open', why, now + cooldownMs(strikes, this.config), strikes, now);
    }
    if ((b.state === 'open' || b.state === 'disabled') && b.until !== null && b.until <= now) {
      if (failed > 0) {
        const wait = b.state === 'disabled' ? disabledRetryMs(b.strikes + 1, this.config) : cooldownMs(b.strikes + 1, this.config);
        return this.event(target.id, b.state, b.reason ?? 'failing', now + wait, b.strikes + 1, now);
      }
      if (ok > 0) return this.event(target.id, 'closed', 'traffic answered again', null, b.strikes, now);
    }
    return null;
  }

  private summary(id: TargetId): TargetHealth {
    const t = this.targets.get(keyOf(id));
    if (!t) return { ...CLOSED, attempts: 0, failed: 0, p50TtftMs: null, p95TtftMs: null, tokensPerSecond: null, inFlight: 0 };
    const now = this.clock();
    if (t.summary && now - t.summary.at < SUMMARY_TTL_MS) return t.summary.value;
    const { ok, failed, outputTokens, streamMs } = t.window.totals(now);
    let inFlight = 0;
    for (const [replica, r] of t.inFlight) {
      // A replica's report is stale after a few of its intervals: it stopped (or its attempts ended unreported).
      if (now - r.at > r.ttl) t.inFlight.delete(replica);
      else inFlight += r.n;
    }
    const { state, reason, until, strikes } = t.breaker;
    const ttft = t.window.ttftPercentiles(now);
    // A rate limit's cool-down that has passed is simply closed again.
    const over = state === 'cooling' && until !== null && until <= now;
    const value: TargetHealth = {
      state: over ? 'closed' : state,
      reason: over ? null : reason,
      until: over ? null : until,
      strikes,
      attempts: ok + failed,
      failed,
      p50TtftMs: ttft?.p50 ?? null,
      p95TtftMs: ttft?.p95 ?? null,
      tokensPerSecond: streamMs > 0 ? Math.round((outputTokens * 1000) / streamMs) : null,
      inFlight,
    };
    t.summary = { at: now, value };
    return value;
  }

  private target(id: TargetId): Target {
    const k = keyOf(id);
    let t = this.targets.get(k);
    if (!t) {
      t = { id: { channelId: id.channelId, keyRef: id.keyRef, model: id.model }, window: new RollingWindow(this.config.HEALTH_WINDOW_MS), breaker: CLOSED, inFlight: new Map(), summary: null };
      this.targets.set(k, t);
    }
    return t;
  }
}
