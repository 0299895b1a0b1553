import { type InvokeRequest, type PlannedAttempt, type StreamFrame, Subjects, TfError } from '@tokenflow/contracts';
import { type CallContext, type FrameInbox, NatsBus } from '@tokenflow/messaging';

/** Slack on top of the adapter's own deadlines, so the adapter's precise timeout error wins the race. */
const GRACE_MS = 2_000;

/**
 * Whether an adapter may still settle the request: it accepted an attempt and we stopped listening before its
 * terminal frame (deadline, client gone). It then publishes that attempt's usage (on our cancel), which releases
 * the hold; releasing it here as well could free money that the attempt goes on to spend.
 */
export interface AttemptState {
  adapterMayBill: boolean;
}

export interface OpenedStream {
  attempt: PlannedAttempt;
  attemptNo: number;
  first: StreamFrame;
  inbox: FrameInbox;
}

/**
 * Starts upstream attempts in plan order until one produces its first frame. A retryable failure before any
 * byte went to the client moves on to the next channel; after that the caller owns the stream.
 */
export async function openFirstGoodAttempt(
  bus: NatsBus,
  attempts: PlannedAttempt[],
  base: Omit<InvokeRequest, 'attempt' | 'attemptNo' | 'inbox'>,
  ctx: CallContext,
  signal: AbortSignal,
  state: AttemptState,
): Promise<OpenedStream> {
  let lastError: TfError | null = null;
  for (let i = 0; i < attempts.length; i++) {
    if (signal.aborted) throw new TfError('upstream_error', 'The client went away.');
    const attempt = attempts[i];
    const inbox = bus.openInbox();
    // A client that leaves stops the wait for the first frame at once.
    const stop = () => inbox.close();
    signal.addEventListener('abort', stop, { once: true });
    try {
      await bus.request(Subjects.adapterInvoke, { ...base, attempt, attemptNo: i + 1, inbox: inbox.subject }, { ctx });
      state.adapterMayBill = true;
      const firstWait = Math.min(
        base.deadlineAt - Date.now(),
        attempt.timeouts.connectMs + attempt.timeouts.firstByteMs + attempt.timeouts.idleMs + GRACE_MS,
      );
      const first = await inbox.next(firstWait);
      if (first.type === 'error') {
        // A terminal frame with no output before it: this attempt will never bill.
        state.adapterMayBill = false;
        lastError = TfError.fromWire(first.error);
        inbox.close();
        if (first.error.retryable && i < attempts.length - 1) continue;
        throw lastError;
      }
      return { attempt, attemptNo: i + 1, first, inbox };
    } catch (err) {
      inbox.close();
      throw err;
    } finally {
      signal.removeEventListener('abort', stop);
    }
  }
  throw lastError ?? new TfError('no_available_channel', 'No available channel for this model.');
}

/** How long to wait for the next frame of a started stream. */
export function idleWait(attempt: PlannedAttempt, deadlineAt: number): number {
  return Math.min(attempt.timeouts.idleMs + GRACE_MS, deadlineAt - Date.now());
}
