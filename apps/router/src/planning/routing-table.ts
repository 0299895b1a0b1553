import { Injectable } from '@nestjs/common';
import type { ChannelEntity, ModelEntity } from '../db/entities';
import { ChannelsRepository } from '../channels/channels.repository';

export interface RoutingSnapshot {
  catalog: Map<string, ModelEntity>;
  /** Enabled channels serving each model. */
  byModel: Map<string, ChannelEntity[]>;
}

/**
 * The router's in-memory view of the catalog and the enabled channels. Planning reads only this, so the hot
 * path makes no database query; it is rebuilt on boot and whenever a channel-changed broadcast arrives.
 * A rebuild swaps the whole snapshot, so an in-flight plan never sees a half-updated table.
 */
@Injectable()
export class RoutingTable {
  private snapshot: RoutingSnapshot = { catalog: new Map(), byModel: new Map() };
  private reloading: Promise<void> | null = null;
  private again = false;

  constructor(private readonly channels: ChannelsRepository) {}

  get current(): RoutingSnapshot {
    return this.snapshot;
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
    const [models, channels] = await Promise.all([this.channels.models(), this.channels.all()]);
    const byModel = new Map<string, ChannelEntity[]>();
    for (const ch of channels) {
      if (!ch.enabled) continue;
      for (const m of ch.models) {
        const list = byModel.get(m) ?? [];
        list.push(ch);
        byModel.set(m, list);
      }
    }
    return { catalog: new Map(models.map((m) => [m.id, m])), byModel };
  }
}
