import type { Server, ServerResponse } from 'node:http';
import { Injectable } from '@nestjs/common';
import { TfError } from '@tokenflow/contracts';
import { createLogger } from '@tokenflow/observability';

/** After the cut, how long the cut answers get to write their error and cancel their attempts before sockets close. */
export const CUT_FLUSH_MS = 5_000;

/** The answer a call still running at the end of the grace gets (an error event once its stream started). */
export class ShuttingDownError extends TfError {
  constructor() {
    super('service_unavailable', 'The server is shutting down and could not finish this response in time. Please retry.');
  }
}

/** A gateway call in flight: aborted (reason: a `ShuttingDownError`) when the shutdown's grace is over. */
export interface DrainLease {
  readonly cut: AbortSignal;
  release(): void;
}

/**
 * The ingress's graceful shutdown: readiness turns false and new requests are refused (503) from the moment it
 * starts; requests already in flight — streams included — get `graceMs` to finish; those still running then are cut
 * (each ends with an OpenAI error and cancels its upstream attempt, whose usage is still billed). Only after that does
 * the app close the HTTP server and drain NATS, so nothing in flight loses the bus under it.
 *
 * The listener stays open while draining, answering 503 (`/readyz` included): an orchestrator's probe and a load
 * balancer learn at once that this replica is going, instead of meeting refused connections.
 */
@Injectable()
export class ShutdownDrain {
  private readonly log = createLogger('ingress.shutdown');
  private readonly responses = new Set<ServerResponse>();
  private readonly leases = new Set<AbortController>();
  private idleWaiters: (() => void)[] = [];
  private started: Promise<void> | null = null;
  /** The grace is over: every call in flight was cut, and any that enters from now on is cut on entry. */
  private cutting = false;

  get draining(): boolean {
    return this.started !== null;
  }

  /** Requests in flight (HTTP responses not yet closed). */
  get inFlight(): number {
    return this.responses.size;
  }

  /** Counts an HTTP request as in flight until its response closes (finished, or the client went away). */
  track(res: ServerResponse): void {
    if (res.destroyed || res.writableFinished) return;
    this.responses.add(res);
    res.once('close', () => {
      this.responses.delete(res);
      if (this.responses.size === 0) this.wakeIdle();
    });
  }

  /**
   * A gateway call's hold on the process: its `cut` fires if the shutdown's grace runs out first. A call entering
   * after the cut (its request was accepted before the shutdown, but got here late) is cut already: it ends at once
   * with the shutdown error, instead of starting an answer the closing sockets would truncate without a word.
   */
  enter(): DrainLease {
    const ctrl = new AbortController();
    if (this.cutting) {
      ctrl.abort(new ShuttingDownError());
      return { cut: ctrl.signal, release: () => {} };
    }
    this.leases.add(ctrl);
    return { cut: ctrl.signal, release: () => this.leases.delete(ctrl) };
  }

  /** Runs the drain once (later calls wait for the same one). */
  drain(server: Server | null, graceMs: number): Promise<void> {
    this.started ??= this.run(server, graceMs);
    return this.started;
  }

  private async run(server: Server | null, graceMs: number): Promise<void> {
    const started = Date.now();
    this.log.info({ inFlight: this.inFlight, graceMs }, 'shutting down: refusing new requests, letting in-flight ones finish');
    // Keep-alive connections with nothing in flight would only carry new requests to refuse.
    server?.closeIdleConnections();
    if (!(await this.idle(graceMs))) {
      this.log.warn({ inFlight: this.inFlight, calls: this.leases.size }, 'shutdown grace over: ending what is still running with an error');
      this.cutting = true;
      for (const lease of this.leases) lease.abort(new ShuttingDownError());
      if (!(await this.idle(CUT_FLUSH_MS))) this.log.warn({ inFlight: this.inFlight }, 'responses still open after the cut: closing their connections');
    }
    server?.closeAllConnections();
    this.log.info({ ms: Date.now() - started }, 'in-flight requests done');
  }

  /** Resolves true once nothing is in flight, false when `ms` passed first. */
  private idle(ms: number): Promise<boolean> {
    if (this.responses.size === 0) return Promise.resolve(true);
    return new Promise((resolve) => {
      const done = (ok: boolean) => {
        clearTimeout(timer);
        this.idleWaiters = this.idleWaiters.filter((w) => w !== onIdle);
        resolve(ok);
      };
      const onIdle = () => done(true);
      const timer = setTimeout(() => done(false), ms);
      this.idleWaiters.push(onIdle);
    });
  }

  private wakeIdle(): void {
    const waiters = this.idleWaiters;
    this.idleWaiters = [];
    for (const w of waiters) w();
  }
}
