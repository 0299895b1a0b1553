import { Injectable } from '@nestjs/common';
import { type ChannelTestReply, type ProbeReply, Subjects, TfError } from '@tokenflow/contracts';
import { NatsBus } from '@tokenflow/messaging';
import type { ChannelEntity } from '../db/entities';
import { plannedAttempt } from '../planning/attempt-selection';
import { channelKeys, RoutingTable } from '../planning/routing-table';
import { HealthBook } from './health-book';

/** A probe's own budget: long enough for a slow first token, short enough that a dead upstream does not stall the job. */
export const PROBE_BUDGET_MS = 20_000;

/** A channel test probes its first keys only, this many at a time. */
const MAX_TESTED_KEYS = 40;
const TEST_CONCURRENCY = 8;

/** Sends one minimal request on a channel key through an adapter (which holds the HTTP client and resolves the key). */
@Injectable()
export class ChannelProber {
  constructor(
    private readonly table: RoutingTable,
    private readonly bus: NatsBus,
    private readonly book: HealthBook,
  ) {}

  /** The channel from the snapshot (disabled ones too: an operator tests a channel before enabling it). */
  channel(id: string): ChannelEntity | undefined {
    return this.table.current.channels.get(id);
  }

  /** The key a channel probe goes through: the first whose own breaker is closed, else the first. */
  firstUsableKey(ch: ChannelEntity): string {
    const keys = this.table.current.keys.get(ch.id) ?? channelKeys(ch);
    return (keys.find((k) => this.book.key(ch.id, k.ref).state === 'closed') ?? keys[0]).ref;
  }

  async probe(ch: ChannelEntity, keyRef: string, model = ch.models[0]): Promise<ProbeReply> {
    const key = (this.table.current.keys.get(ch.id) ?? channelKeys(ch)).find((k) => k.ref === keyRef);
    if (!key) return { ok: false, latencyMs: 0, answer: null, error: new TfError('not_found', 'The channel no longer has this key.').toWire() };
    try {
      return await this.bus.request(Subjects.adapterProbe, { attempt: plannedAttempt(ch, model, key), model }, { timeoutMs: PROBE_BUDGET_MS });
    } catch (err) {
      return { ok: false, latencyMs: 0, answer: null, error: TfError.from(err).toWire() };
    }
  }

  /** The admin test: one probe per key, in parallel, in the channel's key order. */
  async test(id: string, model?: string): Promise<ChannelTestReply> {
    const ch = this.channel(id);
    if (!ch) throw new TfError('not_found', `No channel with id '${id}'.`, { param: 'id' });
    if (model !== undefined && !ch.models.includes(model)) {
      throw new TfError('invalid_request', `The channel does not serve the model '${model}'.`, { param: 'model' });
    }
    const asked = model ?? ch.models[0];
    const keys = (this.table.current.keys.get(ch.id) ?? channelKeys(ch)).slice(0, MAX_TESTED_KEYS);
    const results: ChannelTestReply['results'] = new Array(keys.length);
    let next = 0;
    // A few probes at a time: a channel of many keys must not open hundreds of upstream requests at once.
    const worker = async () => {
      while (next < keys.length) {
        const i = next++;
        const r = await this.probe(ch, keys[i].ref, asked);
        results[i] = { key: keys[i].ref, ok: r.ok, latency_ms: r.latencyMs, answer: r.answer, error: r.error };
      }
    };
    await Promise.all(Array.from({ length: Math.min(TEST_CONCURRENCY, keys.length) }, worker));
    return { channel_id: ch.id, model: asked, results };
  }
}
