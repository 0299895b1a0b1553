import { createHash } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { upstreamKeyFingerprint } from '@tokenflow/contracts';
import type { CategoryPriorEntity, ChannelEntity, ModelEntity } from '../db/entities';
import { ChannelsRepository } from '../channels/channels.repository';

/** One upstream key of a channel, with the references computed once per reload rather than once per plan. */
export interface ChannelKey {
  /** What plans carry instead of the key (`PlannedAttempt.keyRef`). */
  ref: string;
  apiKey: string;
  /** The key's quota counter (`UpstreamLimits.ref`), see `upstreamQuotaRef`. */
  quotaRef: string;
}

export interface RoutingSnapshot {
  catalog: Map<string, ModelEntity>;
  /** Every channel by id, disabled ones included (the admin test and the probes reach them). */
  channels: Map<string, ChannelEntity>;
  /** Enabled channels serving each model. */
  byModel: Map<string, ChannelEntity[]>;
  /**
   * Every channel's keys in order, disabled channels included (a plan made just before a channel was disabled may
   * still be resolving its key). The adapter reads them through `tf.router.channel-keys.v1`.
   */
  keys: Map<string, ChannelKey[]>;
  /** `auto`'s per-category priors. */
  priors: Map<string, CategoryPriorEntity>;
}

export function channelKeys(ch: Pick<ChannelEntity, 'provider' | 'baseUrl' | 'apiKeys'>): ChannelKey[] {
  return ch.apiKeys.map((apiKey) => ({ ref: upstreamKeyFingerprint(apiKey), apiKey, quotaRef: upstreamQuotaRef(ch, apiKey) }));
}

/**
 * Names an upstream key in limiter keys without revealing it. The provider's quota belongs to the key, not to our
 * channel: two channels with the same key (say, different model mappings) share one count.
 */
export function upstreamQuotaRef(ch: Pick<ChannelEntity, 'provider' | 'baseUrl'>, apiKey: string): string {
  return createHash('sha256').update(`${ch.provider}\n${ch.baseUrl ?? ''}\n${apiKey}`).digest('hex').slice(0, 24);
}

/**
 * The router's in-memory view of the catalog and the enabled channels. Planning reads only this, so the hot
 * path makes no database query; it is rebuilt on boot and whenever a channel-changed broadcast arrives.
 * A rebuild swaps the whole snapshot, so an in-flight plan never sees a half-updated table.
 */
@Injectable()
export class RoutingTable {
  private snapshot: RoutingSnapshot = { catalog: new Map(), channels: new Map(), byModel: new Map(), keys: new Map(), priors: new Map() };
  private reloading: Promise<void> | null = null;
  private again = false;

  constructor(private readonly channels: ChannelsRepository) {}

  get current(): RoutingSnapshot {
    return this.snapshot;
  }

  /** A channel's upstream keys with their references; none for a channel this replica does not know. */
  keysOf(channelId: string): { ref: string; apiKey: string }[] {
    return (this.snapshot.keys.get(channelId) ?? []).map(({ ref, apiKey }) => ({ ref, apiKey }));
  }

  /** Coalesces bursts: at most one reload runs, and one more follows if changes arrived meanwhile. */
  reload(): Promise<void> {
    if (this.reloading) {
      this.again = true;
      return this.reloading;
    }
    this.reloading = (async () => {
      try {
        do {
          this.again = false;
          this.snapshot = await this.load();
        } while (this.again);
      } finally {
        this.reloading = null;
      }
    })();
    return this.reloading;
  }

  private async load(): Promise<RoutingSnapshot> {
    const [models, channels, priors] = await Promise.all([this.channels.models(), this.channels.all(), this.channels.priors()]);
    const byModel = new Map<string, ChannelEntity[]>();
    const keys = new Map<string, ChannelKey[]>();
    for (const ch of channels) {
      keys.set(ch.id, channelKeys(ch));
      if (!ch.enabled) continue;
      for (const m of ch.models) {
        const list = byModel.get(m) ?? [];
        list.push(ch);
        byModel.set(m, list);
      }
    }
    return { catalog: new Map(models.map((m) => [m.id, m])), channels: new Map(channels.map((c) => [c.id, c])), byModel, keys, priors: new Map(priors.map((p) => [p.category, p])) };
  }
}
