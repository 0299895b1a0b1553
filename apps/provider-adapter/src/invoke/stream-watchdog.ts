import { TfError } from '@tokenflow/contracts';

/**
 * Millisecond-precise first-byte and idle deadlines for one upstream call (undici's own timers tick at about one
 * second, too coarse for a 300 ms deadline). Re-armed at every byte; when it fires, `signal` aborts with the
 * timeout error as its reason.
 */
export class StreamWatchdog {
  private readonly ctrl = new AbortController();
  private timer: NodeJS.Timeout | null = null;
  readonly signal = this.ctrl.signal;

  constructor(private readonly t: { firstByteMs: number; idleMs: number }) {}

  awaitingFirstByte(): void {
    this.arm(this.t.firstByteMs, new TfError('upstream_timeout', 'The upstream did not start responding in time.', { retryable: true }));
  }

  sawData(): void {
    this.arm(this.t.idleMs, new TfError('upstream_timeout', 'The upstream stopped sending data (idle timeout).', { retryable: true }));
  }

  get fired(): TfError | null {
    return this.ctrl.signal.aborted ? (this.ctrl.signal.reason as TfError) : null;
  }

  stop(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }

  private arm(ms: number, error: TfError): void {
    this.stop();
    this.timer = setTimeout(() => this.ctrl.abort(error), ms);
  }
}
