import {
  AckPolicy,
  type ConsumerInfo,
  type ConsumerMessages,
  DeliverPolicy,
  JetStreamApiCodes,
  JetStreamApiError,
  type JsMsg,
  jetstream,
  jetstreamManager,
  RetentionPolicy,
  StorageType,
  type StreamConfig,
} from '@nats-io/jetstream';
import { headers as natsHeaders, nanos, type NatsConnection } from '@nats-io/transport-node';
import { setTimeout as sleep } from 'node:timers/promises';
import { type ConsumerDeclaration, type DurableEventMap, type DurableSubject, type StreamDeclaration, streamOf } from '@tokenflow/contracts';
import type { Logger } from '@tokenflow/observability';
import { decode, encode } from './codec';

/** How often a consumer whose stream does not exist yet looks again (the stream's owner may still be booting). */
const STREAM_POLL_MS = 500;
/** How long that wait is unremarkable. */
const STREAM_LATE_MS = 30_000;

/** One delivered durable event, discriminated by its (un-namespaced) subject. */
export type DeliveredEvent = {
  [K in DurableSubject]: { subject: K; payload: DurableEventMap[K]; msgId: string | undefined; redelivered: boolean };
}[DurableSubject];

/**
 * A durable event was published before its stream existed. Only the stream's owner creates it, so this names the
 * owner: the event is not stored, and the publisher decides whether to retry.
 */
export class StreamMissingError extends Error {
  constructor(subject: DurableSubject, cause: unknown) {
    const stream = streamOf(subject);
    super(`no JetStream stream stores ${subject}: stream ${stream.name} is created by ${stream.owner} at boot (is it running, with JetStream on?)`, { cause });
    this.name = 'StreamMissingError';
  }
}

/**
 * JetStream for events that must not be lost (usage → ledger). Streams and consumers are declared once in
 * libs/contracts (`Streams`, `DurableConsumers`) and created by their owner only. Publishing carries a msgId so a
 * publisher retry is deduplicated by the server; consumers are durable pull consumers acked only after the batch is
 * committed, so a crash between commit and ack redelivers and the consumer's idempotency key absorbs it.
 */
export class DurableStreams {
  private readonly loops: Promise<void>[] = [];
  private readonly consumers: ConsumerMessages[] = [];
  private readonly stopping = new AbortController();

  constructor(
    private readonly nc: NatsConnection,
    private readonly subject: (name: string) => string,
    private readonly namespace: string,
    private readonly logger?: Logger,
  ) {}

  streamName(name: string): string {
    return this.namespace ? `${this.namespace.replace(/[^A-Za-z0-9_-]/g, '_')}_${name}` : name;
  }

  /**
   * For the stream's owner only: creates the stream, or brings an existing one to the declaration (subjects and
   * limits; the server refuses a change of storage or retention, and so does boot).
   */
  async ensureStream(stream: StreamDeclaration): Promise<void> {
    const jsm = await jetstreamManager(this.nc);
    const config = this.streamConfig(stream);
    if (await this.streamExists(stream)) {
      await jsm.streams.update(config.name, config);
      return;
    }
    try {
      await jsm.streams.add(config);
    } catch (err) {
      // Another replica of the owner created it in between (with a different config if it runs another version).
      if (!(await this.streamExists(stream))) throw err;
      await jsm.streams.update(config.name, config);
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
  async readAll<K extends DurableSubject>(stream: StreamDeclaration, subject: K, upToSeq?: number): Promise<{ seq: number; payload: DurableEventMap[K] }[]> {
    const name = this.streamName(stream.name);
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
  async ackFloor(consumer: ConsumerDeclaration): Promise<number> {
    const info = await (await jetstreamManager(this.nc)).consumers.info(this.streamName(consumer.stream.name), consumer.durable);
    return info.ack_floor.stream_seq;
  }

  /** Stores one event; throws `StreamMissingError` when its stream's owner has not created the stream yet. */
  async publish<K extends DurableSubject>(subject: K, payload: DurableEventMap[K], msgId: string): Promise<void> {
    const js = jetstream(this.nc);
    const h = natsHeaders();
    try {
      await js.publish(this.subject(subject), encode(payload), { msgID: msgId, headers: h });
    } catch (err) {
      // A subject no stream listens on has no responders, which the client reports as "JetStream not enabled".
      if ((err as Error)?.name === 'JetStreamNotEnabled') throw new StreamMissingError(subject, err);
      throw err;
    }
  }

  /**
   * For the consumer's owner: creates or updates the durable consumer, then runs `handle` on batches of events until
   * stop(). A batch is acked only when `handle` resolves; if it throws, the batch is nak'd with a delay and comes
   * back. `handle` must therefore be idempotent. When the stream does not exist yet (its owner is another service,
   * still booting), this waits for it, so a caller that must not block its own boot does not await it.
   */
  async consumeBatches(consumer: ConsumerDeclaration, handle: (events: DeliveredEvent[]) => Promise<unknown>): Promise<void> {
    const messages = await this.subscribe(consumer);
    if (!messages) return;
    const { maxBatch, maxWaitMs } = consumer;
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
          while (pending.length) await this.runBatch(consumer, pending.splice(0, maxBatch), prefix, handle);
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

  /** The consumer's message flow once its stream exists; null when stop() came first (nothing left to consume). */
  private async subscribe(consumer: ConsumerDeclaration): Promise<ConsumerMessages | null> {
    try {
      if (!(await this.waitForStream(consumer.stream))) return null;
      await this.ensureConsumer(consumer);
      const subscription = await jetstream(this.nc).consumers.get(this.streamName(consumer.stream.name), consumer.durable);
      // A continuous pull (consume) rather than repeated fetches: a fetch that expires while the server is delivering
      // drops those messages on the client, and they only come back after ack_wait.
      const messages = await subscription.consume({ max_messages: Math.max(1_000, consumer.maxBatch * 2) });
      if (!this.stopping.signal.aborted) {
        this.consumers.push(messages);
        return messages;
      }
      await messages.close();
      return null;
    } catch (err) {
      // The connection closed under a setup that stop() did not wait for.
      if (this.stopping.signal.aborted) return null;
      throw err;
    }
  }

  private async runBatch(consumer: ConsumerDeclaration, batch: JsMsg[], prefix: string, handle: (events: DeliveredEvent[]) => Promise<unknown>): Promise<void> {
    const stream = this.streamName(consumer.stream.name);
    const toEvent = (m: JsMsg) =>
      ({ subject: m.subject.slice(prefix.length), payload: decode(m.data), msgId: m.headers?.get('Nats-Msg-Id') || undefined, redelivered: m.redelivered }) as DeliveredEvent;
    try {
      await handle(batch.map(toEvent));
      for (const m of batch) m.ack();
      return;
    } catch (err) {
      if (batch.length === 1) return this.failOne(consumer, batch[0], err);
      this.logger?.warn({ err, stream, size: batch.length }, 'batch failed; retrying its events one by one');
    }
    // One bad event must not hold back the good ones: settle them singly, park only what still fails.
    for (const m of batch) {
      try {
        await handle([toEvent(m)]);
        m.ack();
      } catch (err) {
        this.failOne(consumer, m, err);
      }
    }
  }

  /** Retried with backoff; after `maxDeliver` deliveries it is dropped from the stream and logged whole for a manual replay. */
  private failOne(consumer: ConsumerDeclaration, m: JsMsg, err: unknown): void {
    const stream = this.streamName(consumer.stream.name);
    if (m.info.deliveryCount >= consumer.maxDeliver) {
      this.logger?.error({ err, stream, seq: m.seq, subject: m.subject, data: new TextDecoder().decode(m.data) }, 'event parked after repeated failures');
      m.term();
      return;
    }
    m.nak(Math.min(60_000, 1_000 * 2 ** (m.info.deliveryCount - 1)));
  }

  /** Stops consuming (and waiting for streams) and waits for the batch in hand to finish (and be acked). */
  async stop(): Promise<void> {
    this.stopping.abort();
    await Promise.allSettled(this.consumers.map((c) => c.close()));
    await Promise.allSettled(this.loops);
  }

  private streamConfig(stream: StreamDeclaration): Partial<StreamConfig> & { name: string } {
    return {
      name: this.streamName(stream.name),
      subjects: stream.subjects.map((s) => this.subject(s)),
      retention: RetentionPolicy.Limits,
      storage: StorageType.File,
      duplicate_window: nanos(stream.duplicateWindowMs),
      max_age: nanos(stream.maxAgeMs),
    };
  }

  private async streamExists(stream: StreamDeclaration): Promise<boolean> {
    try {
      await (await jetstreamManager(this.nc)).streams.info(this.streamName(stream.name));
      return true;
    } catch (err) {
      if (err instanceof JetStreamApiError && err.code === JetStreamApiCodes.StreamNotFound) return false;
      throw err;
    }
  }

  /** Resolves true once the stream exists, false if stop() came first. */
  private async waitForStream(stream: StreamDeclaration): Promise<boolean> {
    const since = Date.now();
    let reported = false;
    let warned = false;
    while (!this.stopping.signal.aborted) {
      if (await this.streamExists(stream)) return true;
      const fields = { stream: stream.name, owner: stream.owner };
      // Normal while services boot side by side; worth a warning once the owner is clearly not coming up.
      if (!reported) this.logger?.info(fields, `waiting for stream ${stream.name}, which ${stream.owner} creates`);
      else if (!warned && Date.now() - since > STREAM_LATE_MS) {
        this.logger?.warn(fields, `stream ${stream.name} still missing: is ${stream.owner} running?`);
        warned = true;
      }
      reported = true;
      await sleep(STREAM_POLL_MS, undefined, { signal: this.stopping.signal }).catch(() => undefined);
    }
    return false;
  }

  /** Creates the durable as declared, or updates what may change on an existing one (its position is kept). */
  private async ensureConsumer(consumer: ConsumerDeclaration): Promise<void> {
    const jsm = await jetstreamManager(this.nc);
    const stream = this.streamName(consumer.stream.name);
    const tunable = { ack_wait: nanos(consumer.ackWaitMs), max_ack_pending: consumer.maxAckPending };
    const filter = consumer.filterSubject ? this.subject(consumer.filterSubject) : undefined;
    const config = {
      durable_name: consumer.durable,
      ack_policy: AckPolicy.Explicit,
      deliver_policy: DeliverPolicy.All,
      ...(filter ? { filter_subject: filter } : {}),
      ...tunable,
    };
    let info: ConsumerInfo | null = null;
    try {
      info = await jsm.consumers.info(stream, consumer.durable);
    } catch (err) {
      if (!(err instanceof JetStreamApiError && err.code === JetStreamApiCodes.ConsumerNotFound)) throw err;
    }
    if (!info) {
      try {
        await jsm.consumers.add(stream, config);
        return;
      } catch {
        // Another replica of the owner created it in between: update it like any existing one.
      }
    } else if ((info.config.filter_subject || undefined) !== filter) {
      this.logger?.error({ stream, durable: consumer.durable, filter: info.config.filter_subject, declared: filter }, 'durable consumer filters other subjects than declared; delete it to re-create it');
    }
    await jsm.consumers.update(stream, consumer.durable, tunable);
  }
}
