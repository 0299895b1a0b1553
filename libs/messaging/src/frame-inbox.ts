import type { NatsConnection, Subscription } from '@nats-io/transport-node';
import { createInbox } from '@nats-io/transport-node';
import { type StreamFrame, TfError, type WireStreamFrame } from '@tokenflow/contracts';
import { decode } from './codec';

/** Frames a consumer may take from the queue in one go before the event loop gets a turn. */
const YIELD_EVERY = 64;

/**
 * The receiving end of a streamed reply: a private inbox the producer publishes StreamFrames to. Frames are
 * handed out in arrival order; `next()` fails with a timeout if the producer goes silent past `idleMs`, which
 * is what protects a caller from a producer that died mid-stream.
 *
 * Messages are queued as they arrive and decoded only when the consumer takes them: the NATS client hands over
 * everything buffered on its socket in one go, and decoding thousands of frames there would hold the event loop.
 * The consumer gets a turn of the event loop every `YIELD_EVERY` frames, so a 32k-chunk stream is folded in slices.
 */
export class FrameInbox {
  readonly subject: string;
  private readonly sub: Subscription;
  private readonly queue: Uint8Array[] = [];
  private head = 0;
  /** Chunks of a batch already decoded, handed out before the next message. */
  private batch: StreamFrame[] = [];
  private batchHead = 0;
  /** Frames handed out since the last yield to the event loop. */
  private burst = 0;
  private waiter: { resolve: (f: StreamFrame) => void; reject: (e: Error) => void; timer: NodeJS.Timeout } | null = null;
  private closed = false;

  constructor(nc: NatsConnection) {
    this.subject = createInbox();
    this.sub = nc.subscribe(this.subject, {
      callback: (err, msg) => {
        if (err || this.closed) return;
        if (this.waiter) {
          const w = this.waiter;
          this.waiter = null;
          clearTimeout(w.timer);
          w.resolve(this.unpack(msg.data));
        } else {
          this.queue.push(msg.data);
        }
      },
    });
  }

  next(idleMs: number): Promise<StreamFrame> {
    const ready = this.take();
    if (ready) {
      // A consumer awaiting frames that are already here never leaves the microtask queue: after a burst, let the
      // event loop run (other requests, I/O).
      if (++this.burst >= YIELD_EVERY) {
        this.burst = 0;
        return new Promise((resolve) => setImmediate(resolve, ready));
      }
      return Promise.resolve(ready);
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

  /** The next frame already received, if any. */
  private take(): StreamFrame | null {
    if (this.batchHead < this.batch.length) return this.batch[this.batchHead++];
    if (this.head >= this.queue.length) return null;
    const raw = this.queue[this.head++];
    if (this.head === this.queue.length) {
      this.queue.length = 0;
      this.head = 0;
    } else if (this.head >= 1024 && this.head * 2 >= this.queue.length) {
      // Amortised O(1): drop what was handed out once it is half the array.
      this.queue.splice(0, this.head);
      this.head = 0;
    }
    return this.unpack(raw);
  }

  /** Decodes one message; a batch becomes its chunks, the first returned and the rest handed out next. */
  private unpack(raw: Uint8Array): StreamFrame {
    const frame = decode<WireStreamFrame>(raw);
    if (frame.type !== 'chunks') return frame;
    if (frame.data.length === 0) return { type: 'error', seq: frame.seq, error: new TfError('upstream_error', 'The adapter sent an empty batch.').toWire() };
    this.batch = frame.data.map((data, i) => ({ type: 'chunk', seq: frame.seq + i, data }));
    this.batchHead = 1;
    return this.batch[0];
  }
}
