import { Injectable } from '@nestjs/common';
import { type InvokeRequest, type PlannedAttempt, type StreamFrame, Subjects, TfError } from '@tokenflow/contracts';
import { type CallContext, NatsBus, remainingMs, UnansweredError } from '@tokenflow/messaging';
import type { RequestSaga } from './request-saga';

/** Slack on top of the adapter's own deadlines, so the adapter's precise timeout error wins the race. */
const GRACE_MS = 2_000;

/** Where a started attempt's frames arrive (a NATS inbox in production). */
export interface FrameSource {
  next(timeoutMs: number): Promise<StreamFrame>;
  close(): void;
}

export interface OpenedStream {
  attempt: PlannedAttempt;
  first: StreamFrame;
  frames: FrameSource;
}

export type AttemptBase = Omit<InvokeRequest, 'attempt' | 'attemptNo' | 'inbox'>;

/**
 * Starts upstream attempts in plan order until one produces its first frame. A retryable failure before any
 * byte went to the client moves on to the next channel; after that the caller owns the stream. The saga learns
 * which attempt an adapter accepted and whether it ended without output (then it bills nothing).
 */
@Injectable()
export class AttemptRunner {
  constructor(private readonly bus: NatsBus) {}

  async open(attempts: PlannedAttempt[], base: AttemptBase, ctx: CallContext, signal: AbortSignal, saga: RequestSaga): Promise<OpenedStream> {
    let lastError: TfError | null = null;
    for (let i = 0; i < attempts.length; i++) {
      if (signal.aborted) throw new TfError('upstream_error', 'The client went away.');
      const attempt = attempts[i];
      const inbox = this.bus.openInbox();
      // A client that leaves stops the wait for the first frame at once.
      const stop = () => inbox.close();
      signal.addEventListener('abort', stop, { once: true });
      try {
        saga.attemptAccepted();
        try {
          await this.bus.request(Subjects.adapterInvoke, { ...base, attempt, attemptNo: i + 1, inbox: inbox.subject }, { ctx });
        } catch (err) {
          // Refused, or no adapter got it: nothing runs. Unanswered, one may have taken it: the saga cancels it, and its
          // usage (or the expiry job) settles the hold.
          if (!(err instanceof UnansweredError)) saga.attemptRefused();
          throw err;
        }
        const { connectMs, firstByteMs, idleMs } = attempt.timeouts;
        const first = await inbox.next(Math.min(remainingMs(ctx), connectMs + firstByteMs + idleMs + GRACE_MS));
        if (first.type === 'error') {
          saga.attemptRefused();
          lastError = TfError.fromWire(first.error);
          inbox.close();
          if (first.error.retryable && i < attempts.length - 1) continue;
          throw lastError;
        }
        return { attempt, first, frames: inbox };
      } catch (err) {
        inbox.close();
        throw err;
      } finally {
        signal.removeEventListener('abort', stop);
      }
    }
    throw lastError ?? new TfError('no_available_channel', 'No available channel for this model.');
  }
}

/** How long to wait for the next frame of a started stream. */
export function idleWait(attempt: PlannedAttempt, ctx: CallContext): number {
  return Math.min(attempt.timeouts.idleMs + GRACE_MS, remainingMs(ctx));
}
