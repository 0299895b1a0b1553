import type { NatsConnection, Subscription } from '@nats-io/transport-node';
import { createInbox } from '@nats-io/transport-node';
import { type StreamFrame, TfError, type WireStreamFrame } from '@tokenflow/contracts';
import { decode } from './codec';

/** Frames a consumer may take from the queue in one go before the event loop gets a turn. */
const YIELD_EVERY = 64;

/** How much an inbox may hold that its consumer has not taken yet (messages as received, and their bytes). */
export interface InboxLimits {
  maxFrames: number;
  maxBytes: number;
}

/** Generous enough for a consumer that merely lags behind a burst; a consumer that stopped is cut well before memory hurts. */
export const DEFAULT_INBOX_LIMITS: InboxLimits = { maxFrames: 65_536, maxBytes: 64 * 1024 * 1024 };

export interface InboxOptions {
  limits?: InboxLimits;
  /**
   * Told once when the inbox fails (a gap, an overflow, or `fail`): the producer should be stopped, since nothing it
   * sends from now on is read.
   */
  onFault?: (err: TfError) => void;
}

/**
 * A frame's sequence number is not the one expected: frames were lost on the way (a NATS reconnect, a slow-consumer
 * cut). What follows would be a wrong answer, so the stream stops here.
 */
export class StreamGapError extends TfError {
  constructor(
    readonly expected: number,
    readonly got: number,
  ) {
    super('upstream_error', `The response stream lost data in transit (frame ${expected} missing, got ${got}); the answer is incomplete.`);
  }
}

/** The consumer fell behind the producer by more than the inbox's limits (a client that stopped reading). */
export class InboxOverflowError extends TfError {
  constructor(limits: InboxLimits) {
    super('service_unavailable', `The response was cancelled: the client read it too slowly (more than ${limits.maxFrames} messages or ${limits.maxBytes} bytes waiting).`);
  }
}

/**
 * The receiving end of a streamed reply: a private inbox the producer publishes StreamFrames to. Frames are
 * handed out in arrival order; `next()` fails with a timeout if the producer goes silent past `idleMs`, which
 * is what protects a caller from a producer that died mid-stream.
 *
 * Messages are queued as they arrive and decoded only when the consumer takes them: the NATS client hands over
 * everything buffered on its socket in one go, and decoding thousands of frames there would hold the event loop.
 * The consumer gets a turn of the event loop every `YIELD_EVERY` frames, so a 32k-chunk stream is folded in slices.
 *
 * Integrity: every frame carries `seq`, counted from 0 (a batch takes one number per chunk). A frame whose number
 * is not the next one fails the inbox with a `StreamGapError` — the consumer never sees a frame after a hole.
 * Memory: the queue is bounded (`InboxLimits`); a consumer that falls further behind fails the inbox with an
 * `InboxOverflowError` and what was queued is dropped. Either failure is final, told to `onFault` once, and
 * signalled on `failure` so a consumer waiting on something else (a client's socket) hears of it at once.
 */
export class FrameInbox {
  readonly subject: string;
  private readonly sub: Subscription;
  private readonly limits: InboxLimits;
  private readonly onFault?: (err: TfError) => void;
  private readonly failed = new AbortController();
  private readonly queue: Uint8Array[] = [];
  private head = 0;
  private queuedBytes = 0;
  /** Chunks of a batch already decoded, handed out before the next message. */
  private batch: StreamFrame[] = [];
  private batchHead = 0;
  /** The sequence number the next frame must carry. */
  private expected = 0;
  /** Frames handed out since the last yield to the event loop. */
  private burst = 0;
  private waiter: { resolve: (f: StreamFrame) => void; reject: (e: Error) => void; timer: NodeJS.Timeout } | null = null;
  private closed = false;
  private fault: TfError | null = null;

  constructor(nc: NatsConnection, opts: InboxOptions = {}) {
    this.limits = opts.limits ?? DEFAULT_INBOX_LIMITS;
    this.onFault = opts.onFault;
    this.subject = createInbox();
    this.sub = nc.subscribe(this.subject, {
      callback: (err, msg) => {
        if (!err) this.receive(msg.data);
      },
    });
  }

  /** Aborted (with the error as reason) once the inbox failed: a gap, an overflow, or `fail`. */
  get failure(): AbortSignal {
    return this.failed.signal;
  }

  /** Messages received and not yet taken, and their bytes. */
  get backlog(): { frames: number; bytes: number } {
    return { frames: this.queue.length - this.head, bytes: this.queuedBytes };
  }

  next(idleMs: number): Promise<StreamFrame> {
    if (this.fault) return Promise.reject(this.fault);
    let ready: StreamFrame | null;
    try {
      ready = this.take();
    } catch (err) {
      return Promise.reject(err);
    }
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

  /**
   * Fails the inbox from outside (the call is being cut short): a pending `next` and every later one reject with
   * `err`, and `onFault` hears of it. No-op once closed or already failed.
   */
  fail(err: TfError): void {
    if (this.closed || this.fault) return;
    this.fault = err;
    this.sub.unsubscribe();
    this.drop();
    if (this.waiter) {
      clearTimeout(this.waiter.timer);
      this.waiter.reject(err);
      this.waiter = null;
    }
    this.failed.abort(err);
    this.onFault?.(err);
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    if (!this.fault) this.sub.unsubscribe();
    this.drop();
    if (this.waiter) {
      clearTimeout(this.waiter.timer);
      this.waiter.reject(new TfError('internal_error', 'stream closed'));
      this.waiter = null;
    }
  }

  private receive(raw: Uint8Array): void {
    if (this.closed || this.fault) return;
    if (this.waiter) {
      const w = this.waiter;
      this.waiter = null;
      clearTimeout(w.timer);
      let frame: StreamFrame;
      try {
        frame = this.unpack(raw);
      } catch (err) {
        w.reject(err as Error);
        return;
      }
      w.resolve(frame);
      return;
    }
    if (this.queue.length - this.head >= this.limits.maxFrames || this.queuedBytes + raw.length > this.limits.maxBytes) {
      this.fail(new InboxOverflowError(this.limits));
      return;
    }
    this.queue.push(raw);
    this.queuedBytes += raw.length;
  }

  private drop(): void {
    this.queue.length = 0;
    this.head = 0;
    this.queuedBytes = 0;
    this.batch = [];
    this.batchHead = 0;
  }

  /** The next frame already received, if any. */
  private take(): StreamFrame | null {
    if (this.batchHead < this.batch.length) return this.batch[this.batchHead++];
    if (this.head >= this.queue.length) return null;
    const raw = this.queue[this.head++];
    this.queuedBytes -= raw.length;
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

  /**
   * Decodes one message; a batch becomes its chunks, the first returned and the rest handed out next. A frame out of
   * sequence fails the inbox (and throws the gap).
   */
  private unpack(raw: Uint8Array): StreamFrame {
    const frame = decode<WireStreamFrame>(raw);
    if (frame.seq !== this.expected) {
      const gap = new StreamGapError(this.expected, frame.seq);
      this.fail(gap);
      throw gap;
    }
    this.expected = frame.seq + (frame.type === 'chunks' ? frame.data.length : 1);
    if (frame.type !== 'chunks') return frame;
    if (frame.data.length === 0) return { type: 'error', seq: frame.seq, error: new TfError('upstream_error', 'The adapter sent an empty batch.').toWire() };
    this.batch = frame.data.map((data, i) => ({ type: 'chunk', seq: frame.seq + i, data }));
    this.batchHead = 1;
    return this.batch[0];
  }
}
