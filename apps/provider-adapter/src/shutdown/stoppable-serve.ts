import { type RequestSubject, TfError, type WireError } from '@tokenflow/contracts';
import { type CallContext, decode, encode, ERROR_HEADER, fromNatsHeaders, type Handler, type NatsBus, toNatsHeaders, withServerSpan } from '@tokenflow/messaging';
import type { Logger } from '@tokenflow/observability';

/** A queue-group subscription that shutdown can stop while the connection stays up for the work in flight. */
export interface StoppableService {
  /**
   * Leaves the queue group (requests go to the other replicas), then waits up to `maxWaitMs` for the handlers of
   * requests already delivered to answer (a probe takes up to 15 s; an invoke is acked at once).
   */
  stop(maxWaitMs: number): Promise<void>;
}

/**
 * `NatsBus.serve`, keeping the subscription: the adapter must stop taking invokes at SIGTERM yet keep its connection
 * for the attempts it still runs (their frames, key lookups, cancels and usage). A reply that can no longer be sent
 * (the connection closing under it) is logged, never left as an unhandled rejection.
 * TODO(libs/messaging): `serve` could return this handle; then this file goes.
 */
export function serveStoppable<K extends RequestSubject>(bus: NatsBus, subject: K, handler: Handler<K>, log: Logger): StoppableService {
  const answering = new Set<Promise<unknown>>();
  const sub = bus.nc.subscribe(bus.subject(subject), {
    queue: subject,
    callback: (err, msg) => {
      if (err) return;
      const ctx: CallContext = fromNatsHeaders(msg.headers);
      const answer = Promise.resolve()
        // In the hop's SERVER span (tracing on): the attempt it starts, its upstream call and usage are its children.
        .then(() => withServerSpan(subject, ctx, async (inner) => handler(decode<Parameters<Handler<K>>[0]>(msg.data), inner)))
        .then(
          (res) => msg.respond(encode(res)),
          (e: unknown) => {
            if (!(e instanceof TfError)) log.error({ err: e, subject, requestId: ctx.requestId }, 'handler failed');
            const wire: WireError = TfError.from(e).toWire();
            msg.respond(encode(wire), { headers: toNatsHeaders(undefined, { [ERROR_HEADER]: '1' }) });
          },
        )
        .catch((e: unknown) => log.warn({ err: (e as Error)?.message, subject, requestId: ctx.requestId }, 'reply not sent (connection closing)'))
        .finally(() => answering.delete(answer));
      answering.add(answer);
    },
  });
  return {
    stop: async (maxWaitMs) => {
      // One bound for both: a drain that hangs (the server unreachable) must not outlast the shutdown's deadline.
      let timer: NodeJS.Timeout | undefined;
      const late = new Promise((r) => (timer = setTimeout(r, maxWaitMs)));
      const drained = sub.isClosed() ? Promise.resolve() : sub.drain().catch((e: unknown) => log.warn({ err: (e as Error)?.message, subject }, 'unsubscribe failed'));
      await Promise.race([drained.then(() => Promise.allSettled([...answering])), late]);
      clearTimeout(timer);
    },
  };
}
