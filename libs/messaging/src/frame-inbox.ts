import type { NatsConnection, Subscription } from '@nats-io/transport-node';
import { createInbox } from '@nats-io/transport-node';
import { type StreamFrame, TfError } from '@tokenflow/contracts';
import { decode } from './codec';

/**
 * The receiving end of a streamed reply: a private inbox the producer publishes StreamFrames to. Frames are
 * handed out in arrival order; `next()` fails with a timeout if the producer goes silent past `idleMs`, which
 * is what protects a caller from a producer that died mid-stream.
 */
export class FrameInbox {
  readonly subject: string;
  private readonly sub: Subscription;
  private readonly queue: StreamFrame[] = [];
  private waiter: { resolve: (f: StreamFrame) => void; reject: (e: Error) => void; timer: NodeJS.Timeout } | null = null;
  private closed = false;

  constructor(nc: NatsConnection) {
    this.subject = createInbox();
    this.sub = nc.subscribe(this.subject, {
      callback: (err, msg) => {
        if (err) return;
        this.push(decode<StreamFrame>(msg.data));
      },
    });
  }

  private push(frame: StreamFrame): void {
    if (this.closed) return;
    if (this.waiter) {
      const w = this.waiter;
      this.waiter = null;
      clearTimeout(w.timer);
      w.resolve(frame);
    } else {
      this.queue.push(frame);
    }
  }

  next(idleMs: number): Promise<StreamFrame> {
    const queued = this.queue.shift();
    if (queued) return Promise.resolve(queued);
    if (this.closed) return Promise.reject(new TfError('internal_error', 'stream closed'));
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiter = null;
        reject(new TfError('upstream_timeout', 'The upstream did not respond in time.'));
      }, Math.max(1, idleMs));
      this.waiter = { resolve, reject, timer };
    });
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.sub.unsubscribe();
    if (this.waiter) {
      clearTimeout(this.waiter.timer);
      this.waiter.reject(new TfError('internal_error', 'stream closed'));
      this.waiter = null;
    }
  }
}
