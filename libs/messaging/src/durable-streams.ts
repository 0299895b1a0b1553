import { AckPolicy, type ConsumerMessages, DeliverPolicy, type JsMsg, jetstream, jetstreamManager, StorageType } from '@nats-io/jetstream';
import { headers as natsHeaders, nanos, type NatsConnection } from '@nats-io/transport-node';
import { type DurableEventMap, type DurableSubject } from '@tokenflow/contracts';
import type { Logger } from '@tokenflow/observability';
import { decode, encode } from './codec';

/** How often an event may fail before it is parked (logged whole and removed from delivery). */
const MAX_DELIVERIES = 8;

export interface DurableStreamSpec {
  /** Stream name before namespacing, e.g. TF_USAGE. */
  name: string;
  subjects: DurableSubject[];
  /** Window in which a re-published msgId is dropped by the server (dedupe of publisher retries). */
  duplicateWindowMs?: number;
  maxAgeMs?: number;
}

export interface BatchConsumerOptions {
  stream: string;
  durable: string;
  /** Only this subject of the stream; omitted = every subject in the stream. */
  subject?: DurableSubject;
  maxBatch?: number;
  maxWaitMs?: number;
  ackWaitMs?: number;
}

/** One delivered durable event, discriminated by its (un-namespaced) subject. */
export type DeliveredEvent = {
  [K in DurableSubject]: { subject: K; payload: DurableEventMap[K]; msgId: string | undefined; redelivered: boolean };
}[DurableSubject];

/**
 * JetStream for events that must not be lost (usage → ledger). Publishing carries a msgId so a publisher retry
 * is deduplicated by the server; consumers are durable pull consumers acked only after the batch is committed,
 * so a crash between commit and ack redelivers and the consumer's idempotency key absorbs it.
 */
export class DurableStreams {
  private readonly loops: Promise<void>[] = [];
  private readonly consumers: ConsumerMessages[] = [];

  constructor(
    private readonly nc: NatsConnection,
    private readonly subject: (name: string) => string,
    private readonly namespace: string,
    private readonly logger?: Logger,
  ) {}

  streamName(name: string): string {
    return this.namespace ? `${this.namespace.replace(/[^A-Za-z0-9_-]/g, '_')}_${name}` : name;
  }

  async ensureStream(spec: DurableStreamSpec): Promise<void> {
    const jsm = await jetstreamManager(this.nc);
    const config = {
      name: this.streamName(spec.name),
      subjects: spec.subjects.map((s) => this.subject(s)),
      storage: StorageType.File,
      duplicate_window: nanos(spec.duplicateWindowMs ?? 120_000),
      max_age: nanos(spec.maxAgeMs ?? 7 * 24 * 3_600_000),
    };
    let existing: string[] | null = null;
    try {
      existing = (await jsm.streams.info(config.name)).config.subjects ?? [];
    } catch {
      await jsm.streams.add(config);
    }
    if (existing) {
      // Several services declare the same stream with the subjects they publish: never drop another's subjects.
      await jsm.streams.update(config.name, { ...config, subjects: [...new Set([...existing, ...config.subjects])] });
    }
  }

  /** Drops a stream and its consumers (test clean-up and namespace teardown). */
  async deleteStream(name: string): Promise<void> {
    const jsm = await jetstreamManager(this.nc);
    await jsm.streams.delete(this.streamName(name)).catch(() => undefined);
  }

  /**
   * Every retained event of `subject` up to stream sequence `upToSeq` (default: the last one), read with a throwaway
   * ordered consumer, so durable consumers are not disturbed. For audits, not the hot path.
   */
  async readAll<K extends DurableSubject>(stream: string, subject: K, upToSeq?: number): Promise<{ seq: number; payload: DurableEventMap[K] }[]> {
    const name = this.streamName(stream);
    const info = await (await jetstreamManager(this.nc)).streams.info(name);
    const last = upToSeq ?? info.state.last_seq;
    const out: { seq: number; payload: DurableEventMap[K] }[] = [];
    if (info.state.messages === 0 || last < info.state.first_seq) return out;
    const consumer = await jetstream(this.nc).consumers.get(name, { filter_subjects: this.subject(subject) });
    for (;;) {
      let reachedEnd = true;
      const iter = await consumer.fetch({ max_messages: 1_000, expires: 1_000 });
      for await (const m of iter) {
        reachedEnd = false;
        if (m.seq > last) return out;
        out.push({ seq: m.seq, payload: decode<DurableEventMap[K]>(m.data) });
        if (m.seq === last || m.info.pending === 0) return out;
      }
      if (reachedEnd) return out;
    }
  }

  /** The stream sequence up to which a durable consumer has acknowledged everything. */
  async ackFloor(stream: string, durable: string): Promise<number> {
    const info = await (await jetstreamManager(this.nc)).consumers.info(this.streamName(stream), durable);
    return info.ack_floor.stream_seq;
  }

  async publish<K extends DurableSubject>(subject: K, payload: DurableEventMap[K], msgId: string): Promise<void> {
    const js = jetstream(this.nc);
    const h = natsHeaders();
    await js.publish(this.subject(subject), encode(payload), { msgID: msgId, headers: h });
  }

  /**
   * Runs `handle` on batches of events until stop(). A batch is acked only when `handle` resolves; if it throws,
   * the batch is nak'd with a delay and comes back. `handle` must therefore be idempotent.
   */
  async consumeBatches(opts: BatchConsumerOptions, handle: (events: DeliveredEvent[]) => Promise<unknown>): Promise<void> {
    const jsm = await jetstreamManager(this.nc);
    const stream = this.streamName(opts.stream);
    const tunable = { ack_wait: nanos(opts.ackWaitMs ?? 30_000), max_ack_pending: 10_000 };
    try {
      await jsm.consumers.add(stream, {
        durable_name: opts.durable,
        ack_policy: AckPolicy.Explicit,
        deliver_policy: DeliverPolicy.All,
        ...(opts.subject ? { filter_subject: this.subject(opts.subject) } : {}),
        ...tunable,
      });
    } catch {
      // The durable exists from an earlier version with other settings: keep its position, update what may change.
      await jsm.consumers.update(stream, opts.durable, tunable);
    }
    const consumer = await jetstream(this.nc).consumers.get(stream, opts.durable);
    // A continuous pull (consume) rather than repeated fetches: a fetch that expires while the server is delivering
    // drops those messages on the client, and they only come back after ack_wait.
    const messages = await consumer.consume({ max_messages: Math.max(1_000, (opts.maxBatch ?? 256) * 2) });
    this.consumers.push(messages);
    const maxBatch = opts.maxBatch ?? 256;
    const maxWaitMs = opts.maxWaitMs ?? 50;
    const prefix = this.subject('');
    const pending: JsMsg[] = [];
    let timer: NodeJS.Timeout | null = null;
    let running: Promise<void> | null = null;
    // One batch at a time, in stream order. A batch closes when full or `maxWaitMs` after its first message; while
    // one runs, new messages wait, and the loop stops pulling once a full batch is waiting (backpressure).
    const drain = (): Promise<void> => {
      if (timer) clearTimeout(timer);
      timer = null;
      if (running) return running;
      if (pending.length === 0) return Promise.resolve();
      const run = (async () => {
        try {
          while (pending.length) await this.runBatch(stream, pending.splice(0, maxBatch), prefix, handle);
        } finally {
          running = null;
        }
      })();
      running = run;
      return run;
    };
    const loop = (async () => {
      for await (const m of messages) {
        pending.push(m);
        if (pending.length >= maxBatch) await drain();
        else if (!running) timer ??= setTimeout(() => void drain(), maxWaitMs);
      }
      await drain();
    })();
    this.loops.push(loop);
  }

  private async runBatch(stream: string, batch: JsMsg[], prefix: string, handle: (events: DeliveredEvent[]) => Promise<unknown>): Promise<void> {
    const toEvent = (m: JsMsg) =>
      ({ subject: m.subject.slice(prefix.length), payload: decode(m.data), msgId: m.headers?.get('Nats-Msg-Id') || undefined, redelivered: m.redelivered }) as DeliveredEvent;
    try {
      await handle(batch.map(toEvent));
      for (const m of batch) m.ack();
      return;
    } catch (err) {
      if (batch.length === 1) return this.failOne(stream, batch[0], err);
      this.logger?.warn({ err, stream, size: batch.length }, 'batch failed; retrying its events one by one');
    }
    // One bad event must not hold back the good ones: settle them singly, park only what still fails.
    for (const m of batch) {
      try {
        await handle([toEvent(m)]);
        m.ack();
      } catch (err) {
        this.failOne(stream, m, err);
      }
    }
  }

  /** Retried with backoff; after MAX_DELIVERIES it is dropped from the stream and logged whole for a manual replay. */
  private failOne(stream: string, m: JsMsg, err: unknown): void {
    if (m.info.deliveryCount >= MAX_DELIVERIES) {
      this.logger?.error({ err, stream, seq: m.seq, subject: m.subject, data: new TextDecoder().decode(m.data) }, 'event parked after repeated failures');
      m.term();
      return;
    }
    m.nak(Math.min(60_000, 1_000 * 2 ** (m.info.deliveryCount - 1)));
  }

  /** Stops consuming and waits for the batch in hand to finish (and be acked). */
  async stop(): Promise<void> {
    await Promise.allSettled(this.consumers.map((c) => c.close()));
    await Promise.allSettled(this.loops);
  }
}
