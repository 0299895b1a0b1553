import { createLogger } from '@tokenflow/observability';
import { CUT_FLUSH_MS } from './shutdown-drain';

/** Beyond the grace and the cut's flush: time for the HTTP server to close and NATS to drain. */
export const HARD_EXIT_MARGIN_MS = 3_000;

/**
 * The whole shutdown's budget, fixed when the signal arrives: the grace, the cut answers' flush, then the margin for
 * closing the bus. With the default grace (20 s) it is 28 s, inside Kubernetes' default 30 s kill.
 */
export function shutdownDeadlineMs(graceMs: number): number {
  return graceMs + CUT_FLUSH_MS + HARD_EXIT_MARGIN_MS;
}

export interface ShutdownHooks {
  /** The graceful sequence (`IngressApp.close`); null when the app never finished starting. */
  close: (() => Promise<void>) | null;
  graceMs: number;
  exit: (code: number) => void;
}

/**
 * Runs the graceful sequence once, under one deadline fixed at the signal: a close that resolves exits 0, one that
 * fails exits 1, and one still running at the deadline (a NATS drain that hangs while NATS is down never ends) is
 * logged and exits 1, before the orchestrator's SIGKILL would take the process without a word.
 */
export class ShutdownDeadline {
  private readonly log = createLogger('ingress');
  private stopping = false;

  constructor(private readonly hooks: () => ShutdownHooks) {}

  /** Later calls (a second signal) neither restart nor cut short the first. */
  stop(signal: NodeJS.Signals): void {
    if (this.stopping) return;
    this.stopping = true;
    const { close, graceMs, exit } = this.hooks();
    const deadlineMs = shutdownDeadlineMs(graceMs);
    this.log.info({ signal, graceMs, deadlineMs }, 'ingress stopping');
    const timer = setTimeout(() => {
      this.log.error({ deadlineMs }, 'ingress shutdown did not finish by its deadline: exiting');
      exit(1);
    }, deadlineMs);
    const finish = (code: number) => {
      clearTimeout(timer);
      exit(code);
    };
    (close?.() ?? Promise.resolve()).then(
      () => {
        this.log.info('ingress stopped');
        finish(0);
      },
      (err: unknown) => {
        this.log.error({ err }, 'ingress shutdown failed');
        finish(1);
      },
    );
  }
}
