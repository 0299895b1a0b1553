import { Inject, Injectable, type BeforeApplicationShutdown, type OnModuleInit, Optional } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { type RequestLoggedEvent, Subjects } from '@tokenflow/contracts';
import { NatsBus } from '@tokenflow/messaging';
import { createLogger, throttledLog } from '@tokenflow/observability';
import type { FastifyInstance } from 'fastify';
import { Counter, Gauge, type Registry } from 'prom-client';
import { METRICS_REGISTRY } from '../health/metrics.tokens';
import { ContentCapture } from './content-capture';
import { type FinishedRequest, RequestEnd } from './request-end';

/** Events waiting to be published; past it new ones are dropped (and counted). About 1–2 KB each without content. */
export const REQUEST_LOG_MAX_PENDING = 10_000;
/** Publishes awaiting JetStream's ack at once: enough to keep a busy ingress's events flowing on one connection. */
const MAX_IN_FLIGHT = 64;
/** On shutdown, how long the queue may take to empty before NATS drains. */
const FLUSH_ON_SHUTDOWN_MS = 2_000;

const log = createLogger('ingress.request-log');
const publishFailed = throttledLog(10_000);
const overflowed = throttledLog(10_000);

/**
 * Sends every finished `/v1` request to the request log (`tf.requests.logged.v1`, stored by billing; decision 0020),
 * off the hot path: the `RequestEnd` listener only queues the event; publishes run in the background, at most
 * `MAX_IN_FLIGHT` at once. The queue is bounded: when JetStream is slower than the traffic for long (or down), the
 * newest entries are dropped and counted in `tokenflow_request_log_dropped_total` rather than growing memory or
 * slowing requests — the log is not money (usage goes its own durable way and is never dropped).
 *
 * Content logging: for a key with `log_content` on, a capture is attached to the request's trail before its handler
 * runs; the presenter feeds it a stream's events, the `onSend` hook a whole answer's (or an error's) body, and the
 * request body is serialized here, each capped. Other requests pay one property check.
 */
@Injectable()
export class RequestLogPublisher implements OnModuleInit, BeforeApplicationShutdown {
  private queue: RequestLoggedEvent[] = [];
  private head = 0;
  private inFlight = 0;
  private idle: (() => void) | null = null;
  private readonly dropped: Counter<'reason'>;

  constructor(
    private readonly end: RequestEnd,
    private readonly bus: NatsBus,
    @Inject(METRICS_REGISTRY) registry: Registry,
    @Optional() private readonly host?: HttpAdapterHost,
  ) {
    this.dropped = new Counter({
      name: 'tokenflow_request_log_dropped_total',
      help: 'Request log entries not published: the queue was full (overflow) or JetStream refused them (publish_failed)',
      labelNames: ['reason'],
      registers: [registry],
    });
    const pending = () => this.pending;
    new Gauge({
      name: 'tokenflow_request_log_pending',
      help: 'Request log entries queued or being published',
      registers: [registry],
      collect() {
        this.set(pending());
      },
    });
  }

  onModuleInit(): void {
    this.end.on((done) => this.finished(done));
    const fastify = this.host?.httpAdapter?.getInstance<FastifyInstance>();
    if (!fastify) return;
    // After the auth hook (onRequest): the key is known; before the handler: the whole answer is still to come.
    fastify.addHook('preHandler', (req, _reply, done) => {
      if (req.principal?.logContent && req.trail) req.trail.content ??= new ContentCapture();
      done();
    });
    // A whole answer (or an error) leaves as one serialized body; streams are fed by the presenter instead.
    fastify.addHook('onSend', (req, _reply, payload, done) => {
      const content = req.trail?.content;
      if (content) {
        if (typeof payload === 'string') content.append(payload);
        else if (Buffer.isBuffer(payload)) content.append(payload.subarray(0, 4 * 64 * 1024).toString('utf8'));
      }
      done(null, payload);
    });
  }

  /** Events queued or awaiting their ack. */
  get pending(): number {
    return this.queue.length - this.head + this.inFlight;
  }

  /** The `RequestEnd` listener: synchronous, never awaits. */
  finished({ summary, trail, req }: FinishedRequest): void {
    if (!summary.path.startsWith('/v1/')) return;
    const event: RequestLoggedEvent = trail.content ? { ...summary, content: trail.content.finish(req.body) } : summary;
    this.enqueue(event);
  }

  enqueue(event: RequestLoggedEvent): void {
    if (this.queue.length - this.head >= REQUEST_LOG_MAX_PENDING) {
      this.dropped.inc({ reason: 'overflow' });
      overflowed((suppressed) => log.warn({ requestId: event.id, suppressed, pending: this.pending }, 'request log queue full; entry dropped'));
      return;
    }
    this.queue.push(event);
    this.pump();
  }

  private pump(): void {
    while (this.inFlight < MAX_IN_FLIGHT && this.head < this.queue.length) {
      const event = this.queue[this.head++];
      if (this.head > 1_024 && this.head * 2 > this.queue.length) {
        this.queue = this.queue.slice(this.head);
        this.head = 0;
      }
      this.inFlight++;
      // The request id is the msgId: a retried publish is deduplicated by the server, a redelivery by billing.
      this.bus
        .publishDurable(Subjects.requestLogged, event, event.id)
        .catch((err: unknown) => {
          this.dropped.inc({ reason: 'publish_failed' });
          publishFailed((suppressed) => log.warn({ err, requestId: event.id, suppressed }, 'request log entry could not be published; dropped'));
        })
        .finally(() => {
          this.inFlight--;
          this.pump();
          if (this.pending === 0) this.idle?.();
        });
    }
  }

  /** Resolves once everything queued was published (or failed), or after `ms`. */
  flush(ms = FLUSH_ON_SHUTDOWN_MS): Promise<void> {
    if (this.pending === 0) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      function done() {
        clearTimeout(timer);
        resolve();
      }
      this.idle = done;
    });
  }

  /** The last requests' entries go out before NATS drains. */
  beforeApplicationShutdown(): Promise<void> {
    return this.flush();
  }
}
