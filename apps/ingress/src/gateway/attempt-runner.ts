import { Inject, Injectable } from '@nestjs/common';
import { type InvokeRequest, type PlannedAttempt, type StreamFrame, Subjects, TfError } from '@tokenflow/contracts';
import { type CallContext, InboxOverflowError, NatsBus, remainingMs, StreamGapError, UnansweredError } from '@tokenflow/messaging';
import { INGRESS_CONFIG, type IngressConfig } from '../config';
import { ShuttingDownError } from '../lifecycle/shutdown-drain';
import type { RequestSaga, StopReason } from './request-saga';
import { type FailedAttempt, nextDelayedTry } from './retry-policy';
import { StreamMetrics } from './stream-metrics';

/** Slack on top of the adapter's own deadlines, so the adapter's precise timeout error wins the race. */
const GRACE_MS = 2_000;

/**
 * Where a started attempt's frames arrive (a NATS inbox in production: sequence-checked and bounded, see
 * `FrameInbox`). Once it failed, `next` rejects with the failure, and `failure` is aborted with it as the reason.
 */
export interface FrameSource {
  next(timeoutMs: number): Promise<StreamFrame>;
  /** Ends the stream with `err` (the call is being cut short). */
  fail(err: TfError): void;
  readonly failure: AbortSignal;
  close(): void;
}

export interface OpenedStream {
  attempt: PlannedAttempt;
  first: StreamFrame;
  frames: FrameSource;
}

export type AttemptBase = Omit<InvokeRequest, 'attempt' | 'attemptNo' | 'inbox' | 'delayMs'>;

/** Failures that speak about the key itself, whatever the model: a later round must not name that key again. */
const KEY_FAILURES = new Set(['upstream_auth_error', 'upstream_quota_error', 'rate_limit_exceeded']);

/** What the call's attempts did so far, across rounds: how many ran and which keys refused it. */
export class AttemptLog {
  count = 0;
  readonly failedKeys = new Set<string>();
  /** How many waited on the retry queue. */
  delayed = 0;

  /** A key that failed for its own reasons is avoided by later rounds; one whose model failed may serve another model. */
  failed(attempt: PlannedAttempt, error: TfError): void {
    if (KEY_FAILURES.has(error.code)) this.failedKeys.add(`${attempt.channelId}/${attempt.keyRef}`);
  }
}

export interface OpenOptions {
  /** The call has no fallback model left: once the plan is spent, a try may wait for an upstream to recover. */
  mayWait: boolean;
  log: AttemptLog;
  /** Aborted (with the error to answer) when the ingress shuts down before the call is over. */
  cut?: AbortSignal;
}

/**
 * Starts upstream attempts in plan order until one produces its first frame. A retryable failure before any
 * byte went to the client moves on at once to the next key or channel; after that the caller owns the stream.
 * When the plan is spent and nothing else is left, a try may wait (the upstream's `Retry-After`, else backoff) on
 * the adapters' retry queue. The saga learns which attempt an adapter accepted and whether it ended without output.
 */
@Injectable()
export class AttemptRunner {
  constructor(
    private readonly bus: NatsBus,
    @Inject(INGRESS_CONFIG)
    private readonly config: Pick<IngressConfig, 'RETRY_DELAYED_MAX' | 'RETRY_BASE_MS' | 'RETRY_MAX_WAIT_MS'> & Partial<Pick<IngressConfig, 'STREAM_BUFFER_MAX_FRAMES' | 'STREAM_BUFFER_MAX_BYTES'>>,
    private readonly metrics: StreamMetrics,
  ) {}

  async open(attempts: PlannedAttempt[], base: AttemptBase, ctx: CallContext, signal: AbortSignal, saga: RequestSaga, opts: OpenOptions): Promise<OpenedStream> {
    const failures: FailedAttempt[] = [];
    let lastError: TfError | null = null;
    let no = 0;
    for (let i = 0; ; i++) {
      let attempt: PlannedAttempt;
      let delayMs = 0;
      if (i < attempts.length) attempt = attempts[i];
      else {
        const wait = opts.mayWait && lastError?.retryable ? this.delayedTry(failures, opts.log, ctx) : null;
        if (!wait) break;
        ({ attempt, delayMs } = wait);
        opts.log.delayed++;
      }
      if (signal.aborted) throw new TfError('upstream_error', 'The client went away.');
      if (opts.cut?.aborted) throw TfError.from(opts.cut.reason);
      const outcome = await this.try(attempt, { ...base, attempt, attemptNo: ++no, delayMs }, ctx, signal, saga, opts);
      if (!(outcome instanceof TfError)) return outcome;
      lastError = outcome;
      failures.push({ attempt, error: outcome, at: Date.now() });
      opts.log.failed(attempt, outcome);
      if (!outcome.retryable) throw outcome;
    }
    throw lastError ?? new TfError('no_available_channel', 'No available channel for this model.');
  }

  /** The next try that must wait, if the policy and the call's deadline allow one. */
  private delayedTry(failures: FailedAttempt[], log: AttemptLog, ctx: CallContext): { attempt: PlannedAttempt; delayMs: number } | null {
    if (log.delayed >= this.config.RETRY_DELAYED_MAX) return null;
    return nextDelayedTry(failures, { delayedSoFar: log.delayed, baseMs: this.config.RETRY_BASE_MS, maxWaitMs: this.config.RETRY_MAX_WAIT_MS, remainingMs: remainingMs(ctx) });
  }

  /** One attempt: its stream once the first frame arrived, or the error it failed with before any output. */
  private async try(attempt: PlannedAttempt, invoke: Omit<InvokeRequest, 'inbox'>, ctx: CallContext, signal: AbortSignal, saga: RequestSaga, { log, cut }: OpenOptions): Promise<OpenedStream | TfError> {
    const inbox = this.bus.openInbox({
      limits: { maxFrames: this.config.STREAM_BUFFER_MAX_FRAMES ?? 8_192, maxBytes: this.config.STREAM_BUFFER_MAX_BYTES ?? 8 * 1024 * 1024 },
      // Lost frames, a reader too slow for the bound, shutdown: nothing the adapter sends from now on is used, so it
      // stops now (and bills what it produced), not at the end of the round.
      onFault: (err) => {
        const reason = stopReasonOf(err);
        this.metrics.cut(reason);
        saga.attemptCut(reason);
      },
    });
    // A client that leaves stops the wait for the first frame at once; a shutdown's cut answers it with its error.
    const stop = () => inbox.close();
    const onCut = () => inbox.fail(TfError.from(cut?.reason));
    signal.addEventListener('abort', stop, { once: true });
    cut?.addEventListener('abort', onCut, { once: true });
    if (cut?.aborted) onCut();
    try {
      saga.attemptAccepted();
      log.count++;
      try {
        const { delayMs, ...now } = invoke;
        await this.bus.request(Subjects.adapterInvoke, { ...now, ...(delayMs ? { delayMs } : {}), inbox: inbox.subject }, { ctx });
      } catch (err) {
        // Refused, or no adapter got it: nothing runs. Unanswered, one may have taken it: the saga cancels it, and its
        // usage (or the expiry job) settles the hold.
        if (!(err instanceof UnansweredError)) saga.attemptRefused();
        throw err;
      }
      const { connectMs, firstByteMs, idleMs } = attempt.timeouts;
      const first = await inbox.next(Math.min(remainingMs(ctx), (invoke.delayMs ?? 0) + connectMs + firstByteMs + idleMs + GRACE_MS));
      if (first.type === 'error') {
        saga.attemptRefused();
        inbox.close();
        return TfError.fromWire(first.error);
      }
      return { attempt, first, frames: inbox };
    } catch (err) {
      inbox.close();
      throw err;
    } finally {
      signal.removeEventListener('abort', stop);
      cut?.removeEventListener('abort', onCut);
    }
  }
}

/** Why an inbox failed, as the cancel the adapter hears. */
function stopReasonOf(err: TfError): StopReason {
  if (err instanceof StreamGapError) return 'stream_gap';
  if (err instanceof InboxOverflowError) return 'slow_client';
  if (err instanceof ShuttingDownError) return 'shutdown';
  return 'deadline';
}

/** How long to wait for the next frame of a started stream. */
export function idleWait(attempt: PlannedAttempt, ctx: CallContext): number {
  return Math.min(attempt.timeouts.idleMs + GRACE_MS, remainingMs(ctx));
}
