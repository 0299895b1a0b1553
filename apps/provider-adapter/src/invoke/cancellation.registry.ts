import { Injectable } from '@nestjs/common';
import { TfError } from '@tokenflow/contracts';

/** Live upstream calls by request id, so a cancel broadcast can abort the one this replica is running. */
@Injectable()
export class CancellationRegistry {
  private readonly live = new Map<string, AbortController>();

  register(requestId: string): AbortController {
    const ctrl = new AbortController();
    this.live.set(requestId, ctrl);
    return ctrl;
  }

  cancel(requestId: string, reason: string): boolean {
    const ctrl = this.live.get(requestId);
    if (!ctrl) return false;
    ctrl.abort(new CancelledError(reason));
    return true;
  }

  /** Shutdown past its grace period: every live call is aborted with `reason` (each ends with an error frame). */
  abortAll(reason: Error): number {
    for (const ctrl of this.live.values()) ctrl.abort(reason);
    return this.live.size;
  }

  release(requestId: string): void {
    this.live.delete(requestId);
  }

  get size(): number {
    return this.live.size;
  }
}

export class CancelledError extends Error {
  constructor(readonly reason: string) {
    super(`cancelled: ${reason}`);
    this.name = 'CancelledError';
  }
}

/**
 * The replica is shutting down and its grace period is over: the attempt ends with an error frame (retryable while
 * nothing was streamed, so ingress moves it to another replica) and bills what it produced, like an upstream error.
 */
export class ShutdownError extends TfError {
  constructor() {
    super('service_unavailable', 'The gateway replica serving this request shut down before the answer was complete. Please retry.', { retryable: true });
  }
}

/**
 * The caller's reply inbox cannot be reached any more (the NATS connection dropped or closed): the attempt ends, and
 * bills what it produced, but this says nothing about the upstream, so the channel's health does not count it.
 */
export class CallerGoneError extends TfError {
  constructor() {
    super('service_unavailable', 'The connection to the caller was lost.', { retryable: true });
  }
}
