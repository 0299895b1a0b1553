import { Injectable } from '@nestjs/common';

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
