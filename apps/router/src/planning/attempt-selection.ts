import type { PlannedAttempt } from '@tokenflow/contracts';
import type { ChannelEntity } from '../db/entities';
import { availability } from '../health/breaker-policy';
import type { HealthSnapshot } from '../health/health-book';
import { type ChannelSelector, successRate } from './channel-selector';
import { type ChannelKey, channelKeys, type RoutingSnapshot } from './routing-table';
import { upstreamModelFor } from './upstream-model';

export interface SelectionOptions {
  /** How many of a channel's available keys to try before the next channel. */
  keysPerChannel: number;
  now: number;
  random: () => number;
  /** `channelId/keyRef` of keys that already failed this request: never tried again by it. */
  avoid?: ReadonlySet<string>;
}

/** The attempts for one model: what may serve now, in order, and what only may once everything else failed. */
export interface Selection {
  attempts: PlannedAttempt[];
  /** Targets whose cool-down is over but that no probe closed yet: tried last, so traffic heals them even without probes. */
  lastResort: PlannedAttempt[];
}

/**
 * The channel and key choice for one model, a pure function of the routing snapshot, the health snapshot and the
 * options (randomness included), so it can run wherever a snapshot is kept. Channels come in the selector's order;
 * inside a channel, up to `keysPerChannel` available keys, each once, in a weighted random order that favours keys
 * with fewer errors and fewer attempts in flight — so a failing key moves the request to the channel's next key,
 * then to the next channel. Open, half-open, disabled and cooling targets are left out.
 */
export function selectAttempts(routing: RoutingSnapshot, health: HealthSnapshot, model: string, selector: ChannelSelector, opts: SelectionOptions): Selection {
  const attempts: PlannedAttempt[] = [];
  const lastResort: PlannedAttempt[] = [];
  const candidates = (routing.byModel.get(model) ?? []).filter((ch) => {
    const h = health.channel(ch.id, model);
    return availability(h.state, h.until, opts.now) !== 'no';
  });
  for (const ch of selector.order(candidates, health, model)) {
    const channelState = health.channel(ch.id, model);
    const channelLast = availability(channelState.state, channelState.until, opts.now) === 'last';
    const pool = keyPool(ch, routing.keys.get(ch.id) ?? channelKeys(ch), health, opts);
    if (!channelLast) for (const key of pool.ready) attempts.push(plannedAttempt(ch, model, key));
    const last = channelLast ? (pool.ready[0] ?? pool.last) : pool.ready.length ? null : pool.last;
    if (last) lastResort.push(plannedAttempt(ch, model, last));
  }
  return { attempts, lastResort };
}

function keyPool(ch: ChannelEntity, keys: ChannelKey[], health: HealthSnapshot, opts: SelectionOptions): { ready: ChannelKey[]; last: ChannelKey | null } {
  const ready: { key: ChannelKey; k: number }[] = [];
  let last: ChannelKey | null = null;
  for (const key of keys) {
    if (opts.avoid?.has(`${ch.id}/${key.ref}`)) continue;
    const h = health.key(ch.id, key.ref);
    const a = availability(h.state, h.until, opts.now);
    if (a === 'last') last ??= key;
    if (a !== 'yes') continue;
    // Efraimidis–Spirakis again: a key's share falls with its error rate and with the attempts it already carries.
    const w = successRate(h) / (1 + h.inFlight);
    ready.push({ key, k: Math.pow(opts.random(), 1 / w) });
  }
  ready.sort((a, b) => b.k - a.k);
  return { ready: ready.slice(0, opts.keysPerChannel).map((r) => r.key), last };
}

/** The plan names the key by reference only: the adapter resolves the secret, so it never reaches ingress. */
export function plannedAttempt(ch: ChannelEntity, model: string, key: ChannelKey): PlannedAttempt {
  const limits = ch.keyLimits;
  return {
    channelId: ch.id,
    channelName: ch.name,
    provider: ch.provider,
    baseUrl: ch.baseUrl,
    keyRef: key.ref,
    upstreamModel: upstreamModelFor(ch.provider, model, ch.modelMapping),
    timeouts: { connectMs: ch.connectTimeoutMs, firstByteMs: ch.firstByteTimeoutMs, idleMs: ch.idleTimeoutMs },
    ...(limits && (limits.rpm || limits.tpm) ? { upstreamLimits: { ref: key.quotaRef, rpm: limits.rpm ?? null, tpm: limits.tpm ?? null } } : {}),
  };
}
