import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';

/** One registry per process, with Node's default metrics, labelled by service. */
export function createMetricsRegistry(service: string): Registry {
  const registry = new Registry();
  registry.setDefaultLabels({ service });
  collectDefaultMetrics({ register: registry });
  return registry;
}

export function httpMetrics(registry: Registry) {
  return {
    requests: new Counter({
      name: 'tokenflow_http_requests_total',
      help: 'HTTP requests by route and status',
      labelNames: ['route', 'status'] as const,
      registers: [registry],
    }),
    duration: new Histogram({
      name: 'tokenflow_http_request_duration_seconds',
      help: 'Time to the full response (streams: to the last byte)',
      labelNames: ['route', 'status'] as const,
      buckets: [0.005, 0.025, 0.1, 0.5, 1, 2.5, 5, 10, 30, 60, 120],
      registers: [registry],
    }),
  };
}

/**
 * The DI token of a service's one registry (`createMetricsRegistry`): the metrics its services record and the
 * `/metrics` its ops surface serves.
 */
export const METRICS_REGISTRY = Symbol.for('tokenflow.metrics-registry');

/** A Nest provider of the service's registry, for its module's `providers`. */
export const metricsRegistryProvider = (service: string) => ({ provide: METRICS_REGISTRY, useFactory: () => createMetricsRegistry(service) });

/** How long a value read at scrape time (JetStream consumer info, BullMQ counts) is reused. */
const SCRAPE_CACHE_MS = 5_000;
/** How long a scrape waits for such a read; past it the series is left out of that scrape. */
const SCRAPE_READ_TIMEOUT_MS = 2_000;

/**
 * `read` done at scrape time, at most once per `ttlMs`, never longer than `timeoutMs`: several scrapers (and a
 * dependency that is down) cost one round trip every few seconds, never one per request. Null when the last read
 * failed or timed out.
 */
export function cachedRead<T>(read: () => Promise<T>, ttlMs = SCRAPE_CACHE_MS, timeoutMs = SCRAPE_READ_TIMEOUT_MS): () => Promise<T | null> {
  let last: { at: number; value: T | null } | null = null;
  let running: Promise<T | null> | null = null;
  return () => {
    if (last && Date.now() - last.at < ttlMs) return Promise.resolve(last.value);
    running ??= (async () => {
      let timer: NodeJS.Timeout | undefined;
      let value: T | null = null;
      try {
        const late = new Promise<null>((resolve) => (timer = setTimeout(() => resolve(null), timeoutMs)));
        value = await Promise.race([read(), late]);
      } catch {
        value = null;
      } finally {
        clearTimeout(timer);
      }
      last = { at: Date.now(), value };
      running = null;
      return value;
    })();
    return running;
  };
}

/** A durable JetStream consumer the service owns, and how to read its backlog. */
export interface ConsumerPendingSource {
  stream: string;
  consumer: string;
  /** Events not yet acknowledged (undelivered + delivered and unacked). */
  pending(): Promise<number>;
}

/** `tokenflow_jetstream_consumer_pending{stream,consumer}`, read at scrape time (cached: `cachedRead`). */
export function consumerPendingGauge(registry: Registry, sources: ConsumerPendingSource[]): Gauge<'stream' | 'consumer'> {
  const reads = sources.map((s) => ({ s, read: cachedRead(() => s.pending()) }));
  return new Gauge({
    name: 'tokenflow_jetstream_consumer_pending',
    help: 'Events of a durable JetStream consumer not yet acknowledged (its lag), read at scrape time',
    labelNames: ['stream', 'consumer'] as const,
    registers: [registry],
    async collect() {
      this.reset();
      for (const { s, read } of reads) {
        const pending = await read();
        if (pending !== null) this.set({ stream: s.stream, consumer: s.consumer }, pending);
      }
    },
  });
}

/** What the queue gauge needs of a BullMQ `Queue`. */
export interface CountableQueue {
  readonly name: string;
  getJobCounts(...types: string[]): Promise<Record<string, number>>;
}

const QUEUE_STATES = ['waiting', 'delayed', 'active', 'failed'] as const;

/**
 * `tokenflow_bullmq_queue_jobs{queue,state}` for every BullMQ queue the service owns: each queue's owner calls
 * `watch` once it has created it. Counts are read at scrape time (cached: `cachedRead`).
 */
export class QueueDepthGauge {
  private readonly queues: { queue: CountableQueue; read: () => Promise<Record<string, number> | null> }[] = [];

  constructor(registry: Registry) {
    const queues = this.queues;
    new Gauge({
      name: 'tokenflow_bullmq_queue_jobs',
      help: 'Jobs in a BullMQ queue by state (waiting, delayed, active, failed), read at scrape time',
      labelNames: ['queue', 'state'] as const,
      registers: [registry],
      async collect() {
        this.reset();
        for (const { queue, read } of queues) {
          const counts = await read();
          if (counts) for (const state of QUEUE_STATES) this.set({ queue: queue.name, state }, counts[state] ?? 0);
        }
      },
    });
  }

  watch(queue: CountableQueue): void {
    if (this.queues.some((q) => q.queue === queue)) return;
    this.queues.push({ queue, read: cachedRead(() => queue.getJobCounts(...QUEUE_STATES)) });
  }
}

/** A Nest provider of the service's `QueueDepthGauge` on its registry. */
export const queueDepthGaugeProvider = { provide: QueueDepthGauge, useFactory: (registry: Registry) => new QueueDepthGauge(registry), inject: [METRICS_REGISTRY] };
