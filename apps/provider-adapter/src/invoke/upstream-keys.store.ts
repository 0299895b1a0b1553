import { Injectable, type OnApplicationBootstrap } from '@nestjs/common';
import { type Attempt, type PlannedAttempt, Subjects, TfError } from '@tokenflow/contracts';
import { NatsBus } from '@tokenflow/messaging';

/** A channel's keys by reference. */
type ChannelKeys = ReadonlyMap<string, string>;

const FETCH_TIMEOUT_MS = 2_000;

/**
 * Resolves a planned attempt's `keyRef` to the upstream key, so plans (which pass through ingress, the public
 * edge) never carry one. The router serves a channel's keys from its routing snapshot; they are cached here per
 * channel and dropped when the channel changes (`tf.router.channels-changed.v1`), so the hot path makes no extra
 * round trip in steady state.
 *
 * A reference is a fingerprint of its key, so a cached entry can only ever resolve to the key the plan meant: a
 * stale entry may lack a just-added key (then the channel is fetched once more), never hand out a wrong one.
 */
@Injectable()
export class UpstreamKeysStore implements OnApplicationBootstrap {
  private readonly cache = new Map<string, ChannelKeys>();
  /**
   * One fetch per channel at a time: a burst of attempts after a change waits on the same answer. A change drops
   * the channel's fetch from here, so an answer that may predate the change is used once but not cached.
   */
  private readonly inflight = new Map<string, Promise<ChannelKeys>>();

  constructor(private readonly bus: NatsBus) {}

  onApplicationBootstrap(): Promise<void> {
    this.bus.on(Subjects.routerChannelsChanged, (ev) => this.forget(ev.channelId));
    return this.bus.flush();
  }

  /** The attempt with its key; a retryable `upstream_error` when the channel no longer has that key. */
  async resolve(attempt: PlannedAttempt, deadline: number): Promise<Attempt> {
    let apiKey = this.cache.get(attempt.channelId)?.get(attempt.keyRef);
    // Unknown: never fetched, or the channel was edited after this replica cached it (the change may still be in flight).
    if (apiKey === undefined) apiKey = (await this.fetch(attempt.channelId, deadline)).get(attempt.keyRef);
    if (apiKey === undefined) {
      // Nothing was sent: another channel of the plan may well serve the request.
      throw new TfError('upstream_error', "The channel's key is no longer configured.", { retryable: true });
    }
    return { ...attempt, apiKey };
  }

  /** A channel changed (or, without an id, anything may have): its keys are fetched again on next use. */
  forget(channelId?: string): void {
    if (channelId) {
      this.cache.delete(channelId);
      this.inflight.delete(channelId);
    } else {
      this.cache.clear();
      this.inflight.clear();
    }
  }

  private fetch(channelId: string, deadline: number): Promise<ChannelKeys> {
    const pending = this.inflight.get(channelId);
    if (pending) return pending;
    const timeoutMs = Math.max(1, Math.min(FETCH_TIMEOUT_MS, deadline - Date.now()));
    const fetching: Promise<ChannelKeys> = this.bus
      .request(Subjects.routerChannelKeys, { channelId }, { timeoutMs })
      .then(({ keys }) => {
        const byRef: ChannelKeys = new Map(keys.map((k) => [k.ref, k.apiKey]));
        if (this.inflight.get(channelId) === fetching) this.cache.set(channelId, byRef);
        return byRef;
      })
      .finally(() => {
        if (this.inflight.get(channelId) === fetching) this.inflight.delete(channelId);
      });
    this.inflight.set(channelId, fetching);
    return fetching;
  }
}
