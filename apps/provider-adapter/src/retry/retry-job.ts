import type { InvokeRequest } from '@tokenflow/contracts';
import type { CallContext } from '@tokenflow/messaging';

/** A delayed attempt as it waits in Redis: everything the replica that runs it needs, since it heard nothing else. */
export interface RetryJob {
  /** The invoke as received, without `delayMs` (running it must not schedule it again). */
  request: InvokeRequest;
  /**
   * The caller's deadline as wall-clock epoch ms. Unlike the bus (which carries a budget), a job may run on another
   * host much later, so it can only carry an absolute time; hosts' clocks are assumed NTP-close.
   */
  deadline: number;
  /** The call context's correlation and trace fields (not its deadline, which is above), for the runner's logs. */
  trace: Pick<CallContext, 'requestId' | 'traceparent'>;
}

/** One queue per namespace, shared by every adapter replica (BullMQ refuses `:` in names). */
export function retryQueueName(namespace: string): string {
  return `tf-${namespace || 'default'}-adapter-retries`;
}

/**
 * One job per attempt: an invoke delivered twice (a caller that retried its request) schedules it once. BullMQ
 * refuses `:` in custom ids and ids that read as integers; the prefix keeps both out.
 */
export function retryJobId(requestId: string, attemptNo: number): string {
  return `retry-${requestId.replaceAll(':', '_')}-${attemptNo}`;
}

export function toRetryJob(req: InvokeRequest, deadline: number, ctx: CallContext): RetryJob {
  const { delayMs: _delay, ...request } = req;
  const trace: RetryJob['trace'] = {};
  if (ctx.requestId) trace.requestId = ctx.requestId;
  if (ctx.traceparent) trace.traceparent = ctx.traceparent;
  return { request, deadline, trace };
}
