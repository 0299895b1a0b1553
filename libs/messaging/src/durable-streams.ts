import {
  AckPolicy,
  type ConsumerInfo,
  type ConsumerMessages,
  DeliverPolicy,
  DiscardPolicy,
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
import { type ConsumerDeclaration, type DurableEventMap, type DurableSubject, Headers, type StreamDeclaration, streamOf } from '@tokenflow/contracts';
import { failSpan, type Logger, traceparentOf, tracingOn } from '@tokenflow/observability';
import type { CallContext } from './call-context';
import { decode, encode } from './codec';
import { startProducerSpan, type TracedDelivery, withConsumerSpans } from './nats-tracing';

/** How often a consumer whose stream does not exist yet looks again (the stream's owner may still be booting). */
const STREAM_POLL_MS = 500;
/** How long that wait is unremarkable. */
const STREAM_LATE_MS = 30_000;
/**
 * How often a running consumer checks that its stream and durable still exist. A NATS server that lost its
 * JetStream store (restarted without its volume, a fresh install's first restart) loses both, and nothing else
 * would bring them back until the owner restarts: publishes fail, and settlement waits forever.
 */
const HEAL_CHECK_MS = 2_000;
/**
 * The lifetime of one pull request. Short, so a pull the server dropped (a consumer created a moment earlier, a
 * reconnect) is replaced within seconds, not after the client's 30 s default plus two missed heartbeats.
 */
const PULL_EXPIRES_MS = 5_000;
/** Redelivery delays: a transient failure (the store is down) retries soon after it comes back; a failing event backs off further. */
const TRANSIENT_BACKOFF = { firstMs: 250, maxMs: 5_000 };
const FAILING_BACKOFF = { firstMs: 1_000, maxMs: 60_000 };

/** The delay before delivery `deliveries + 1` of an event that failed `deliveries` times. */
export function redeliveryDelayMs(deliveries: number, transient: boolean): number {
  const b = transient ? TRANSIENT_BACKOFF : FAILING_BACKOFF;
  return Math.min(b.maxMs, b.firstMs * 2 ** Math.min(30, Math.max(0, deliveries - 1)));
}

/** One delivered durable event, discriminated by its (un-namespaced) subject. */
export type DeliveredEvent = {
  [K in DurableSubject]: { subject: K; payload: DurableEventMap[K]; msgId: string | undefined; redelivered: boolean };
}[DurableSubject];

/** An event that still failed after `maxDeliver` deliveries, for its consumer's dead-letter place. */
export interface FailedEvent {
  /** Un-namespaced, like `DeliveredEvent.subject`; the payload as its JSON text (it may not even decode). */
  subject: string;
  msgId: string | undefined;
  data: string;
  /** Its sequence in the (namespaced) stream, and the stream's name. */
  seq: number;
  stream: string;
  deliveries: number;
  /** When it was stored in the stream. */
  storedAt: Date;
  error: unknown;
}

/**
 * How a consumer that must not lose events handles failures. Without one, an event still failing after
 * `maxDeliver` deliveries is logged whole and terminated (fine for derived data such as rate-limit corrections).
 */
export interface FailurePolicy {
  /**
   * The failure says nothing about the events themselves (their store is unreachable, a lock or timeout): the whole
   * batch comes back after a short, capped backoff, for as long as it takes, and is never parked.
   */
  transient(err: unknown): boolean;
  /** The failure is certainly the event's own (a constraint it breaks): parked at once, without `maxDeliver` retries. */
  poison?(err: unknown): boolean;
  /**
   * Keeps an event that keeps failing for its own sake where it can be replayed. Resolves true once it is stored
   * (the event is then acked); false or a rejection keeps it in the stream, redelivered later.
   */
  park(failed: FailedEvent): Promise<boolean>;
}

/** Where a durable consumer stands: what it has not acknowledged yet, and since when the oldest of it waits. */
export interface ConsumerLag {
  /** Events stored but not yet delivered, plus those delivered and not acknowledged (in flight or waiting to retry). */
  pending: number;
  /** When the oldest unacknowledged event was stored; null when nothing is pending. */
  oldestPendingAt: Date | null;
}

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
    private readonly replicas = 1,
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
  async publish<K extends DurableSubject>(subject: K, payload: DurableEventMap[K], msgId: string, ctx?: Pick<CallContext, 'traceparent'>): Promise<void> {
    if (!tracingOn()) return this.store(subject, payload, msgId, ctx?.traceparent);
    // A PRODUCER span, child of the context's traceparent (else the active span); the event carries the span's own.
    const span = startProducerSpan(subject, ctx?.traceparent, msgId);
    if (!span) return this.store(subject, payload, msgId, ctx?.traceparent);
    try {
      await this.store(subject, payload, msgId, traceparentOf(span));
    } catch (err) {
      failSpan(span, err);
      throw err;
    } finally {
      span.end();
    }
  }

  private async store<K extends DurableSubject>(subject: K, payload: DurableEventMap[K], msgId: string, traceparent: string | undefined): Promise<void> {
    const js = jetstream(this.nc);
    const h = natsHeaders();
    // The trace rides with the stored event, so its consumer (possibly much later) joins the publisher's trace.
    if (traceparent) h.set(Headers.traceparent, traceparent);
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
  async consumeBatches(consumer: ConsumerDeclaration, handle: (events: DeliveredEvent[]) => Promise<unknown>, policy?: FailurePolicy): Promise<void> {
    const first = await this.subscribe(consumer);
    if (!first) return;
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
          while (pending.length) await this.runBatch(consumer, pending.splice(0, maxBatch), prefix, handle, policy);
        } finally {
          running = null;
        }
      })();
      running = run;
      return run;
    };
    const loop = (async () => {
      // Each turn consumes until the flow is closed: by stop(), or by the watchdog after it re-created a stream or
      // durable that had vanished, when the next turn subscribes again.
      for (let messages: ConsumerMessages | null = first; messages; messages = await this.subscribe(consumer)) {
        const watchdog = this.watch(consumer, messages);
        for await (const m of messages) {
          pending.push(m);
          if (pending.length >= maxBatch) await drain();
          else if (!running) timer ??= setTimeout(() => void drain(), maxWaitMs);
        }
        await drain();
        await watchdog.stop();
        if (this.stopping.signal.aborted) break;
      }
    })();
    this.loops.push(loop);
  }

  /**
   * Every HEAL_CHECK_MS, checks that the consumer's durable (and so its stream) still exists. When it vanished, the
   * stream is re-created if this consumer's owner owns it too (billing and the usage stream), then the durable,
   * and `messages` is closed so the loop subscribes again at once.
   */
  private watch(consumer: ConsumerDeclaration, messages: ConsumerMessages): { stop(): Promise<void> } {
    const halt = new AbortController();
    const done = (async () => {
      while (!halt.signal.aborted && !this.stopping.signal.aborted) {
        await sleep(HEAL_CHECK_MS, undefined, { signal: halt.signal }).catch(() => undefined);
        if (halt.signal.aborted || this.stopping.signal.aborted) return;
        try {
          if (await this.consumerExists(consumer)) continue;
          const fields = { stream: consumer.stream.name, durable: consumer.durable };
          if (consumer.stream.owner === consumer.owner) await this.ensureStream(consumer.stream);
          else if (!(await this.streamExists(consumer.stream))) {
            this.logger?.warn(fields, `stream ${consumer.stream.name} vanished; waiting for ${consumer.stream.owner} to re-create it`);
            continue;
          }
          await this.ensureConsumer(consumer);
          this.logger?.warn(fields, 'stream or durable consumer vanished (JetStream store lost?); re-created it');
          await messages.close();
          return;
        } catch (err) {
          // NATS unreachable: the client reconnects and resumes by itself; look again next time.
          if (!this.stopping.signal.aborted) this.logger?.debug({ err, durable: consumer.durable }, 'consumer check failed');
        }
      }
    })();
    return {
      stop: async () => {
        halt.abort();
        await done;
      },
    };
  }

  /**
   * The consumer's backlog and the age of its oldest unacknowledged event (the one just past its ack floor). An event
   * waiting for a retry counts: it is not settled.
   */
  async lag(consumer: ConsumerDeclaration): Promise<ConsumerLag> {
    const jsm = await jetstreamManager(this.nc);
    const stream = this.streamName(consumer.stream.name);
    const info = await jsm.consumers.info(stream, consumer.durable);
    const pending = info.num_pending + info.num_ack_pending;
    if (pending === 0) return { pending, oldestPendingAt: null };
    const seq = info.ack_floor.stream_seq + 1;
    const msg = await jsm.streams.getMessage(stream, { seq }).catch(() => null);
    // Gone (aged out past the stream's max age): reported as old as the consumer, an upper bound that cannot hide it.
    return { pending, oldestPendingAt: msg?.time ?? new Date(info.created) };
  }

  /** The consumer's message flow once its stream exists; null when stop() came first (nothing left to consume). */
  private async subscribe(consumer: ConsumerDeclaration): Promise<ConsumerMessages | null> {
    try {
      if (!(await this.waitForStream(consumer.stream))) return null;
      await this.ensureConsumer(consumer);
      const subscription = await jetstream(this.nc).consumers.get(this.streamName(consumer.stream.name), consumer.durable);
      // A continuous pull (consume) rather than repeated fetches: a fetch that expires while the server is delivering
      // drops those messages on the client, and they only come back after ack_wait.
      const messages = await subscription.consume({ max_messages: Math.max(1_000, consumer.maxBatch * 2), expires: PULL_EXPIRES_MS });
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

  private async runBatch(
    consumer: ConsumerDeclaration,
    batch: JsMsg[],
    prefix: string,
    handle: (events: DeliveredEvent[]) => Promise<unknown>,
    policy: FailurePolicy | undefined,
  ): Promise<void> {
    const stream = this.streamName(consumer.stream.name);
    const toEvent = (m: JsMsg) =>
      ({ subject: m.subject.slice(prefix.length), payload: decode(m.data), msgId: m.headers?.get('Nats-Msg-Id') || undefined, redelivered: m.redelivered }) as DeliveredEvent;
    try {
      await withConsumerSpans(consumer.durable, () => batch.map((m) => delivery(m, prefix)), () => handle(batch.map(toEvent)));
      for (const m of batch) m.ack();
      return;
    } catch (err) {
      if (policy?.transient(err)) {
        // Nothing is wrong with these events: splitting the batch would only multiply the failing calls.
        this.logger?.warn({ err, stream, size: batch.length }, 'batch failed for a transient cause; it comes back after a short backoff');
        for (const m of batch) m.nak(redeliveryDelayMs(m.info.deliveryCount, true));
        return;
      }
      if (batch.length === 1) return this.failOne(consumer, batch[0], prefix, err, policy);
      this.logger?.warn({ err, stream, size: batch.length }, 'batch failed; retrying its events one by one');
    }
    // One bad event must not hold back the good ones: settle them singly, park only what still fails.
    for (const m of batch) {
      try {
        await withConsumerSpans(consumer.durable, () => [delivery(m, prefix)], () => handle([toEvent(m)]));
        m.ack();
      } catch (err) {
        if (policy?.transient(err)) m.nak(redeliveryDelayMs(m.info.deliveryCount, true));
        else await this.failOne(consumer, m, prefix, err, policy);
      }
    }
  }

  /**
   * Retried with backoff. After `maxDeliver` deliveries it goes to the policy's dead-letter place and is acked once
   * stored there (kept in the stream and retried otherwise); without a policy it is logged whole and terminated.
   */
  private async failOne(consumer: ConsumerDeclaration, m: JsMsg, prefix: string, err: unknown, policy: FailurePolicy | undefined): Promise<void> {
    const stream = this.streamName(consumer.stream.name);
    const deliveries = m.info.deliveryCount;
    if (deliveries < consumer.maxDeliver && !policy?.poison?.(err)) {
      m.nak(redeliveryDelayMs(deliveries, false));
      return;
    }
    if (!policy) {
      this.logger?.error({ err, stream, seq: m.seq, subject: m.subject, data: new TextDecoder().decode(m.data) }, 'event dropped after repeated failures');
      m.term();
      return;
    }
    const storedAt = new Date(Math.floor(Number(m.info.timestampNanos) / 1_000_000));
    const failed = { subject: m.subject.slice(prefix.length), msgId: m.headers?.get('Nats-Msg-Id') || undefined, data: new TextDecoder().decode(m.data) };
    const parked = await policy.park({ ...failed, seq: m.seq, stream, deliveries, storedAt, error: err }).catch((parkErr: unknown) => {
      this.logger?.warn({ err: parkErr, stream, seq: m.seq }, 'could not park a failing event; it stays in the stream');
      return false;
    });
    if (parked) m.ack();
    else m.nak(redeliveryDelayMs(deliveries, false));
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
      num_replicas: this.replicas,
      // Past its size the oldest events go (streams that are not money only: see `StreamDeclaration.maxBytes`).
      max_bytes: stream.maxBytes ?? -1,
      discard: DiscardPolicy.Old,
    };
  }

  private async consumerExists(consumer: ConsumerDeclaration): Promise<boolean> {
    try {
      await (await jetstreamManager(this.nc)).consumers.info(this.streamName(consumer.stream.name), consumer.durable);
      return true;
    } catch (err) {
      if (err instanceof JetStreamApiError && (err.code === JetStreamApiCodes.ConsumerNotFound || err.code === JetStreamApiCodes.StreamNotFound)) return false;
      throw err;
    }
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

/** What a consumer span needs of a delivered message (read only while tracing is on). */
function delivery(m: JsMsg, prefix: string): TracedDelivery {
  return {
    subject: m.subject.slice(prefix.length),
    traceparent: m.headers?.get(Headers.traceparent) || undefined,
    msgId: m.headers?.get('Nats-Msg-Id') || undefined,
    deliveries: m.info.deliveryCount,
  };
}
