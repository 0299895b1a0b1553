import { Inject, Injectable, type OnApplicationBootstrap, type OnApplicationShutdown, type OnModuleDestroy } from '@nestjs/common';
import { type InvokeRequest, TfError } from '@tokenflow/contracts';
import type { CallContext } from '@tokenflow/messaging';
import { createLogger, QueueDepthGauge } from '@tokenflow/observability';
import { Queue, Worker } from 'bullmq';
import { Redis } from 'ioredis';
import { ADAPTER_CONFIG, type AdapterConfig } from '../config';
import { type RetryJob, retryJobId, retryQueueName, toRetryJob } from './retry-job';
import { RetryRunner } from './retry.runner';

/** Jobs each replica's worker takes at once; taking one only starts an attempt, so this bounds bursts, not streams. */
const CONCURRENCY = 64;
/** How long an invoke waits for Redis to take its job before the caller is told it was not scheduled. */
const SCHEDULE_TIMEOUT_MS = 2_000;
/** How long past its delay this replica still remembers a job it scheduled (a worker has taken it by then). */
const WAITING_GRACE_MS = 5_000;

/**
 * Delayed attempts (`InvokeRequest.delayMs`: backoff, an upstream's Retry-After) wait as BullMQ delayed jobs, so any
 * replica runs them and a retry survives the replica that scheduled it. Only delayed invokes touch Redis: an
 * immediate invoke and the success path never do.
 */
@Injectable()
export class RetryQueue implements OnApplicationBootstrap, OnModuleDestroy, OnApplicationShutdown {
  private readonly log = createLogger('provider-adapter.retry');
  /** Also what the adapter's readiness reads (`health/adapter-ops.ts`). */
  readonly connection: Redis;
  private readonly queue: Queue<RetryJob>;
  private worker: Worker<RetryJob> | null = null;
  /** Jobs this replica scheduled that may still be waiting, by request: a cancel removes them from Redis. */
  private readonly waiting = new Map<string, Map<string, InvokeRequest>>();

  constructor(
    @Inject(ADAPTER_CONFIG) config: AdapterConfig,
    private readonly runner: RetryRunner,
    queueDepth: QueueDepthGauge,
  ) {
    // Its own connection, retrying forever as BullMQ's worker needs; schedule() bounds its own wait instead.
    this.connection = new Redis(config.REDIS_URL, { maxRetriesPerRequest: null });
    this.connection.on('error', (err: Error) => this.log.warn({ err: err.message }, 'retry queue: Redis connection error'));
    // Ready before any invoke handler can schedule on it, whatever order the bootstrap hooks run in.
    this.queue = new Queue<RetryJob>(retryQueueName(config.TF_NAMESPACE), { connection: this.connection });
    this.queue.on('error', this.warn);
    queueDepth.watch(this.queue);
  }

  onApplicationBootstrap(): void {
    this.worker = new Worker<RetryJob>(this.queue.name, async (job) => void this.runner.start(job.data), { connection: this.connection, concurrency: CONCURRENCY });
    this.worker.on('error', this.warn);
  }

  /** Enqueues the attempt to start in `req.delayMs`; `deadline` is the caller's, on this host's clock. */
  async schedule(req: InvokeRequest, deadline: number, ctx: CallContext): Promise<void> {
    const jobId = retryJobId(req.requestId, req.attemptNo);
    const delay = Math.max(1, Math.round(req.delayMs ?? 0));
    // Noted before Redis has it: a cancel arriving meanwhile removes it right behind the add (one connection, in order).
    this.remember(req, jobId, delay);
    const adding = this.queue.add('invoke', toRetryJob(req, deadline, ctx), { jobId, delay, attempts: 1, removeOnComplete: true, removeOnFail: true });
    try {
      await within(adding, Math.max(1, Math.min(SCHEDULE_TIMEOUT_MS, deadline - Date.now())));
    } catch (err) {
      // The caller hears "not scheduled": if Redis takes the job after all, it must not run behind the caller's back.
      adding.then(() => this.queue.remove(jobId)).catch(() => undefined);
      this.log.error({ err: (err as Error)?.message, requestId: req.requestId }, 'retry not scheduled');
      throw new TfError('service_unavailable', 'The retry could not be scheduled. Please retry shortly.', { retryable: true });
    }
  }

  /** A cancel broadcast (every replica hears it): removes the request's waiting jobs this replica scheduled. */
  cancel(requestId: string): void {
    this.runner.noteCancelled(requestId);
    const jobs = this.waiting.get(requestId);
    if (!jobs) return;
    this.waiting.delete(requestId);
    for (const [jobId, req] of jobs) {
      this.queue
        .remove(jobId)
        // Removed: it will never run, so it settles here. Not removed: a worker took it and settles or skips it.
        .then((removed) => removed && this.runner.settleCancelled(req))
        .catch((err: Error) => this.log.warn({ err: err.message, requestId }, 'cancelled retry not removed; its worker will skip it'));
    }
  }

  /** Before the bus drains: waiting jobs are left to the other replicas' workers. */
  async onModuleDestroy(): Promise<void> {
    await this.worker?.close();
  }

  /** After the bus drained, so a delayed invoke still being handled can enqueue. */
  async onApplicationShutdown(): Promise<void> {
    await this.queue.close();
    // BullMQ does not close a connection it was given.
    this.connection.disconnect();
  }

  private readonly warn = (err: Error) => this.log.warn({ err: err.message }, 'retry queue error');

  private remember(req: InvokeRequest, jobId: string, delay: number): void {
    const { requestId } = req;
    let jobs = this.waiting.get(requestId);
    if (!jobs) this.waiting.set(requestId, (jobs = new Map()));
    jobs.set(jobId, req);
    setTimeout(() => {
      jobs.delete(jobId);
      if (jobs.size === 0 && this.waiting.get(requestId) === jobs) this.waiting.delete(requestId);
    }, delay + WAITING_GRACE_MS).unref();
  }
}

/** `promise`, or a rejection once `ms` have passed. */
function within<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer from Redis within ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
