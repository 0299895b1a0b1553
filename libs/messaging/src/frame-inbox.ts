import type { NatsConnection, Subscription } from '@nats-io/transport-node';
import { createInbox } from '@nats-io/transport-node';
import { type StreamFrame, TfError } from '@tokenflow/contracts';
import { decode } from './codec';

/** Frames a consumer may take from the queue in one go before the event loop gets a turn. */
const YIELD_EVERY = 64;

/**
 * The receiving end of a streamed reply: a private inbox the producer publishes StreamFrames to. Frames are
 * handed out in arrival order; `next()` fails with a timeout if the producer goes silent past `idleMs`, which
 * is what protects a caller from a producer that died mid-stream.
 */
export class FrameInbox {
  readonly subject: string;
  private readonly sub: Subscription;
  private readonly queue: StreamFrame[] = [];
  private head = 0;
  /** Frames handed out from the queue since the last yield to the event loop. */
  private burst = 0;
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
    if (this.head < this.queue.length) {
      const queued = this.queue[this.head++];
      if (this.head === this.queue.length) {
        this.queue.length = 0;
        this.head = 0;
      } else if (this.head >= 1024 && this.head * 2 >= this.queue.length) {
        // Amortised O(1): drop what was handed out once it is half the array.
        this.queue.splice(0, this.head);
        this.head = 0;
      }
      // A consumer awaiting frames that are already here never leaves the microtask queue: after a burst, let the
      // event loop run (other requests, I/O), so a 32k-chunk stream is folded in slices, not in one block.
      if (++this.burst >= YIELD_EVERY) {
        this.burst = 0;
        return new Promise((resolve) => setImmediate(resolve, queued));
      }
      return Promise.resolve(queued);
    }
    this.burst = 0;
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
