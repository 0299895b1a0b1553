import {
  connect,
  createInbox,
  errors as natsErrors,
  type Msg,
  type NatsConnection,
  type Subscription,
} from '@nats-io/transport-node';
import {
  type BlobRef,
  type DurableEventMap,
  type DurableSubject,
  type EventMap,
  type EventSubject,
  type RequestMap,
  type RequestSubject,
  type WireStreamFrame,
  TfError,
  type WireError,
} from '@tokenflow/contracts';
import { failSpan, type Logger, tracingOn } from '@tokenflow/observability';
import { type CallContext, ERROR_HEADER, fromNatsHeaders, remainingMs, toNatsHeaders } from './call-context';
import { decode, encode } from './codec';

const encoder = new TextEncoder();
const decoder = new TextDecoder();
import { FrameInbox, type InboxOptions } from './frame-inbox';
import { DurableStreams } from './durable-streams';
import { startClientSpan, withServerSpan } from './nats-tracing';

export interface BusOptions {
  url: string;
  /** Connection name shown by the NATS server (service name + pid). */
  name: string;
  /** Prefix for every subject and stream, isolating environments (and test runs) on one NATS server. */
  namespace?: string;
  logger?: Logger;
  /**
   * How long the first connection may take to succeed (NATS not up yet: a fresh deploy, a restart of everything).
   * Attempts back off from 250 ms to `CONNECT_BACKOFF_MAX_MS`, each failure logged with what it waits for. Default
   * 60 s; then `connect` fails and the service exits with one clear line (its supervisor restarts it).
   */
  startupTimeoutMs?: number;
  /**
   * JetStream replicas of the streams this service owns and creates (1 on a single server; 3 on a three-node
   * cluster, so the usage stream survives the loss of a node). Only an owner's value matters.
   */
  streamReplicas?: number;
}

export interface RequestOptions {
  /** This hop's own limit (5 s by default); the context's deadline, when sooner, bounds it. */
  timeoutMs?: number;
  ctx?: CallContext;
}

export type Handler<K extends RequestSubject> = (
  req: RequestMap[K]['req'],
  ctx: CallContext,
) => Promise<RequestMap[K]['res']> | RequestMap[K]['res'];

const DEFAULT_TIMEOUT_MS = 5_000;
/** Room left for the trace and error headers a request carries next to its payload. */
const HEADER_ALLOWANCE = 4 * 1024;
/** NATS's default max_payload, assumed while the server's is unknown (reconnecting). */
const DEFAULT_MAX_PAYLOAD = 1024 * 1024;
/** What a payload that carries a blob reference may still need beside it (attempt, ids, price…). */
const ENVELOPE_ALLOWANCE = 64 * 1024;

/**
 * A request that reached no handler: nobody was listening, or the caller's deadline had passed before it was sent.
 * Unlike a timeout, it is certain nothing happened on the other side (no hold placed, no attempt started).
 */
export class UndeliveredError extends TfError {}

/** A request sent but not answered (in time, or the connection failed): the other side may or may not have acted on it. */
export class UnansweredError extends TfError {}

/** The sending side of a blob: answers part requests until closed. */
export interface ServedBlob {
  ref: BlobRef;
  close(): void;
}

/**
 * One NATS connection per process and the only way code talks to another service. Every call is typed by
 * the subject maps in libs/contracts, so a payload that does not match its subject does not compile.
 * It uses the raw transport (not Nest's ClientProxy): one shared muxed inbox for replies, no envelope —
 * about half the latency per hop (see docs/decisions/0002).
 */
export class NatsBus {
  readonly durable: DurableStreams;
  private readonly subs: Subscription[] = [];
  private live = true;

  private constructor(
    readonly nc: NatsConnection,
    private readonly namespace: string,
    private readonly logger?: Logger,
    streamReplicas = 1,
  ) {
    this.durable = new DurableStreams(nc, (s) => this.subject(s), namespace, logger, streamReplicas);
    this.trackConnection().catch(() => {
      this.live = false;
    });
  }

  /**
   * Whether the server connection is up right now: false from a disconnect until the client has reconnected (it
   * retries forever), and once closed. Readiness probes read it; `nc.isClosed()` stays false while reconnecting.
   */
  get connected(): boolean {
    return this.live && !this.nc.isClosed();
  }

  /** Follows the client's status events; the iterator ends when the connection closes. */
  private async trackConnection(): Promise<void> {
    for await (const s of this.nc.status()) {
      if (s.type === 'reconnect') this.live = true;
      else if (s.type === 'disconnect' || s.type === 'reconnecting' || s.type === 'staleConnection' || s.type === 'forceReconnect' || s.type === 'close') this.live = false;
      if (s.type === 'disconnect') this.logger?.warn('NATS disconnected; reconnecting');
      else if (s.type === 'reconnect') this.logger?.warn('NATS reconnected');
    }
    this.live = false;
  }

  /**
   * Connects, waiting for the server with capped backoff while it is not there yet. Once connected, the client itself
   * reconnects forever (see `connected`).
   */
  static async connect(opts: BusOptions): Promise<NatsBus> {
    const nc = await connectWithBackoff(opts);
    return new NatsBus(nc, opts.namespace ?? '', opts.logger, opts.streamReplicas ?? 1);
  }

  /** The namespaced wire name of a contract subject. */
  subject(name: string): string {
    return this.namespace ? `${this.namespace}.${name}` : name;
  }

  async request<K extends RequestSubject>(
    subject: K,
    payload: RequestMap[K]['req'],
    opts: RequestOptions = {},
  ): Promise<RequestMap[K]['res']> {
    const data = encode(payload);
    if (!tracingOn()) return this.send(subject, data, opts.ctx, opts.timeoutMs);
    // A CLIENT span per request; the server's span becomes its child through the traceparent it sends.
    const client = startClientSpan(subject, opts.ctx, data.length);
    if (!client) return this.send(subject, data, opts.ctx, opts.timeoutMs);
    const { span, ctx } = client;
    try {
      return await this.send(subject, data, ctx, opts.timeoutMs);
    } catch (err) {
      failSpan(span, err);
      throw err;
    } finally {
      span.end();
    }
  }

  private async send<K extends RequestSubject>(subject: K, data: Uint8Array, ctx: CallContext | undefined, timeoutMs: number | undefined): Promise<RequestMap[K]['res']> {
    let msg: Msg;
    // Above the server's max_payload NATS would fail it as a transport error ("service unavailable", retried by
    // clients): it is a request that can never pass, so say so. (`info` is unknown while reconnecting: then the
    // request runs its normal course.) Headers count against the limit too.
    const max = this.nc.info?.max_payload;
    if (max && data.length + HEADER_ALLOWANCE > max) {
      throw new TfError('request_too_large', `The request is too large for this deployment (${data.length} bytes; NATS max_payload is ${max}).`);
    }
    const left = remainingMs(ctx);
    if (left < 1) throw new UndeliveredError('upstream_timeout', deadlinePassedMessage(subject));
    try {
      msg = await this.nc.request(this.subject(subject), data, {
        timeout: Math.min(timeoutMs ?? DEFAULT_TIMEOUT_MS, left),
        headers: toNatsHeaders(ctx),
      });
    } catch (err) {
      // The caller's deadline, not this hop's own limit, ran out: the request timed out as a whole.
      if (isTimeout(err) && remainingMs(ctx) < 1) throw new UnansweredError('upstream_timeout', deadlinePassedMessage(subject));
      throw this.transportError(subject, err);
    }
    if (msg.headers?.get(ERROR_HEADER)) throw TfError.fromWire(decode<WireError>(msg.data));
    return decode<RequestMap[K]['res']>(msg.data);
  }

  /** Answers `subject` in a queue group, so replicas share the load. Thrown TfErrors go back as error replies. */
  serve<K extends RequestSubject>(subject: K, handler: Handler<K>): void {
    const sub = this.nc.subscribe(this.subject(subject), {
      queue: subject,
      callback: (err, msg) => {
        if (err) return;
        void this.dispatch(subject, msg, handler);
      },
    });
    this.subs.push(sub);
  }

  private async dispatch<K extends RequestSubject>(subject: K, msg: Msg, handler: Handler<K>): Promise<void> {
    const ctx = fromNatsHeaders(msg.headers);
    // In a SERVER span (tracing on): the handler's hops and the work it starts are its children.
    const { reply, failed } = await withServerSpan(subject, ctx, (inner) => this.answer(subject, msg, handler, inner), (r) => r.failed);
    // Nothing awaits this promise (`serve`): a reply on a connection that is draining or closed must not throw out of it.
    try {
      msg.respond(reply, failed ? { headers: toNatsHeaders(undefined, { [ERROR_HEADER]: '1' }) } : undefined);
    } catch (err) {
      this.logger?.warn({ err, subject, requestId: ctx.requestId }, 'reply not sent (connection closing)');
    }
  }

  /** The handler's reply, or its error as a wire error (`failed`: the TfError, for the span). */
  private async answer<K extends RequestSubject>(subject: K, msg: Msg, handler: Handler<K>, ctx: CallContext): Promise<{ reply: Uint8Array; failed: TfError | null }> {
    try {
      const req = decode<RequestMap[K]['req']>(msg.data);
      return { reply: encode(await handler(req, ctx)), failed: null };
    } catch (err) {
      const tfErr = TfError.from(err);
      if (!(err instanceof TfError)) {
        this.logger?.error({ err, subject, requestId: ctx.requestId }, 'handler failed');
      }
      return { reply: encode(tfErr.toWire()), failed: tfErr };
    }
  }

  /** Broadcast to every subscriber. `suffix` addresses one instance of a subject family (e.g. a request id). */
  emit<K extends EventSubject>(subject: K, payload: EventMap[K], suffix?: string, ctx?: CallContext): void {
    const name = suffix ? `${this.subject(subject)}.${suffix}` : this.subject(subject);
    this.nc.publish(name, encode(payload), { headers: toNatsHeaders(ctx) });
  }

  /**
   * Every instance receives every event, or with `shared` one instance of the service each (a queue group).
   * `wildcard` also receives the suffixed family.
   */
  on<K extends EventSubject>(
    subject: K,
    handler: (payload: EventMap[K], ctx: CallContext) => void | Promise<void>,
    opts: { wildcard?: boolean; shared?: boolean } = {},
  ): void {
    const name = opts.wildcard ? `${this.subject(subject)}.*` : this.subject(subject);
    const sub = this.nc.subscribe(name, {
      ...(opts.shared ? { queue: subject } : {}),
      callback: (err, msg) => {
        if (err) return;
        Promise.resolve()
          .then(() => handler(decode<EventMap[K]>(msg.data), fromNatsHeaders(msg.headers)))
          .catch((e: unknown) => this.logger?.error({ err: e, subject }, 'event handler failed'));
      },
    });
    this.subs.push(sub);
  }

  /** A private inbox for a streamed reply (bounded, sequence-checked: see `FrameInbox`). */
  openInbox(opts?: InboxOptions): FrameInbox {
    return new FrameInbox(this.nc, opts);
  }

  sendFrame(inbox: string, frame: WireStreamFrame): void {
    this.nc.publish(inbox, encode(frame));
  }

  /** `ctx.traceparent` (else the active span) is the parent of the publish's span; the consumer's span is its child. */
  publishDurable<K extends DurableSubject>(subject: K, payload: DurableEventMap[K], msgId: string, ctx?: Pick<CallContext, 'traceparent'>): Promise<void> {
    return this.durable.publish(subject, payload, msgId, ctx);
  }

  /** The largest value that can ride inside a request payload; larger ones go as a blob (`serveBlob`). */
  get inlineLimit(): number {
    return (this.nc.info?.max_payload ?? DEFAULT_MAX_PAYLOAD) - ENVELOPE_ALLOWANCE;
  }

  /**
   * Keeps `data` (too large for one NATS message) available in parts on a private inbox, for the one service that
   * was handed `ref` to pull with `fetchBlob`: the way request bodies up to the HTTP body limit reach the adapter,
   * as streamed responses come back in frames. Close it when the receiver can no longer need it.
   */
  serveBlob(data: Uint8Array): ServedBlob {
    const partBytes = (this.nc.info?.max_payload ?? DEFAULT_MAX_PAYLOAD) - HEADER_ALLOWANCE;
    const subject = createInbox();
    const sub = this.nc.subscribe(subject, {
      callback: (err, msg) => {
        if (err) return;
        const part = Number(decoder.decode(msg.data));
        msg.respond(Number.isSafeInteger(part) && part >= 0 ? data.subarray(part * partBytes, (part + 1) * partBytes) : new Uint8Array());
      },
    });
    return { ref: { subject, bytes: data.length, partBytes }, close: () => sub.unsubscribe() };
  }

  /** Pulls a blob served by `serveBlob`, part by part (one NATS round trip per part). */
  async fetchBlob(ref: BlobRef, timeoutMs = DEFAULT_TIMEOUT_MS): Promise<Uint8Array> {
    const out = new Uint8Array(ref.bytes);
    const parts = Math.ceil(ref.bytes / ref.partBytes);
    for (let part = 0; part < parts; part++) {
      let msg: Msg;
      try {
        msg = await this.nc.request(ref.subject, encoder.encode(String(part)), { timeout: timeoutMs });
      } catch (err) {
        throw this.transportError('tf.ingress.body', err);
      }
      const offset = part * ref.partBytes;
      if (msg.data.length !== Math.min(ref.partBytes, ref.bytes - offset)) throw new TfError('service_unavailable', 'The request body could not be received in full.');
      out.set(msg.data, offset);
    }
    return out;
  }

  /** Resolves once the server has processed everything sent so far (subscriptions are live after this). */
  async flush(): Promise<void> {
    await this.nc.flush();
  }

  async close(): Promise<void> {
    await this.durable.stop();
    if (this.nc.isClosed()) return;
    try {
      await this.nc.drain();
    } catch {
      await this.nc.close();
    }
  }

  private transportError(subject: string, err: unknown): TfError {
    const service = subject.split('.')[1] ?? 'a';
    const noResponders =
      (err instanceof natsErrors.RequestError && err.isNoResponders()) || err instanceof natsErrors.NoRespondersError;
    if (noResponders) {
      return new UndeliveredError('service_unavailable', `The ${service} service is not available. Please retry shortly.`);
    }
    if (isTimeout(err)) {
      return new UnansweredError('service_unavailable', `The ${service} service did not answer in time. Please retry shortly.`);
    }
    this.logger?.error({ err, subject }, 'NATS request failed');
    return new UnansweredError('service_unavailable', `The ${service} service could not be reached.`);
  }
}

const CONNECT_BACKOFF_FIRST_MS = 250;
const CONNECT_BACKOFF_MAX_MS = 5_000;
const DEFAULT_STARTUP_TIMEOUT_MS = 60_000;

async function connectWithBackoff(opts: BusOptions): Promise<NatsConnection> {
  const until = Date.now() + (opts.startupTimeoutMs ?? DEFAULT_STARTUP_TIMEOUT_MS);
  const where = redactUrl(opts.url);
  let delay = CONNECT_BACKOFF_FIRST_MS;
  for (let attempt = 1; ; attempt++) {
    try {
      const nc = await connect({ servers: opts.url, name: opts.name, maxReconnectAttempts: -1, reconnectTimeWait: 500 });
      if (attempt > 1) opts.logger?.info({ nats: where, attempts: attempt }, 'NATS connected');
      return nc;
    } catch (err) {
      const left = until - Date.now();
      const reason = (err as Error)?.message ?? String(err);
      if (left <= 0) throw new Error(`NATS at ${where} is not reachable (${reason}); gave up after ${attempt} attempts`);
      const wait = Math.min(delay, left);
      opts.logger?.warn({ nats: where, attempt, retryInMs: wait, reason }, 'waiting for NATS');
      await new Promise((r) => setTimeout(r, wait));
      delay = Math.min(delay * 2, CONNECT_BACKOFF_MAX_MS);
    }
  }
}

/** The server list without credentials (`nats://user:pass@host` → `nats://host`). */
function redactUrl(url: string): string {
  return url.replace(/\/\/[^@/]*@/g, '//');
}

function isTimeout(err: unknown): boolean {
  return err instanceof natsErrors.TimeoutError || (err as Error)?.cause instanceof natsErrors.TimeoutError;
}

function deadlinePassedMessage(subject: string): string {
  return `The request's deadline passed before the ${subject.split('.')[1] ?? ''} service answered.`;
}
