import { Injectable, type OnApplicationBootstrap } from '@nestjs/common';
import { Subjects, TfError } from '@tokenflow/contracts';
import { NatsBus } from '@tokenflow/messaging';
import { createLogger } from '@tokenflow/observability';
import { CancellationRegistry } from './invoke/cancellation.registry';
import { InvokeService } from './invoke/invoke.service';
import { ProbeService } from './probe/probe.service';
import { RetryQueue } from './retry/retry.queue';
import { serveStoppable, type StoppableService } from './shutdown/stoppable-serve';

/** A caller that sent no deadline (a tool, a test) still gets an attempt that ends. */
const UNBOUNDED_CALL_MS = 10 * 60_000;

@Injectable()
export class AdapterMsController implements OnApplicationBootstrap {
  private readonly log = createLogger('provider-adapter.invoke');
  /** The queue-group services shutdown leaves first (cancels keep arriving for the attempts still running). */
  private readonly services: StoppableService[] = [];

  constructor(
    private readonly bus: NatsBus,
    private readonly invoke: InvokeService,
    private readonly cancellations: CancellationRegistry,
    private readonly retries: RetryQueue,
    private readonly probes: ProbeService,
  ) {}

  onApplicationBootstrap(): Promise<void> {
    // Ack at once (the caller learns a worker took it), then stream to the caller's inbox until its deadline.
    const invokes = serveStoppable(this.bus, Subjects.adapterInvoke, async (req, ctx) => {
      // A caller of another version (mid rolling deploy) may send another shape: refused before anything runs.
      if (!req.size || !req.attempt || !req.inbox) throw new TfError('service_unavailable', 'The invoke request lacks fields this adapter needs.');
      const deadline = ctx.deadline ?? Date.now() + UNBOUNDED_CALL_MS;
      if (req.delayMs && req.delayMs > 0) {
        // Acked once the retry queue holds it: from then on any replica runs it, even if this one goes away.
        await this.retries.schedule(req, deadline, ctx);
        return { accepted: true, scheduled: true } as const;
      }
      this.invoke.run(req, deadline).catch((err: unknown) => this.log.error({ err, requestId: req.requestId }, 'attempt failed outside its own error handling'));
      return { accepted: true } as const;
    }, this.log);
    const probes = serveStoppable(this.bus, Subjects.adapterProbe, (req, ctx) => this.probes.probe(req, ctx.deadline), this.log);
    this.services.push(invokes, probes);
    this.bus.on(
      Subjects.adapterCancel,
      (ev) => {
        this.cancellations.cancel(ev.requestId, ev.reason);
        // A retry still waiting must never start: removed (this replica scheduled it) or skipped when due.
        this.retries.cancel(ev.requestId);
      },
      { wildcard: true },
    );
    return this.bus.flush();
  }

  /**
   * Shutdown: no new invoke or probe reaches this replica once this resolves, and the ones delivered have been
   * answered (or `maxWaitMs` passed).
   */
  async stopTaking(maxWaitMs: number): Promise<void> {
    await Promise.all(this.services.map((s) => s.stop(maxWaitMs)));
  }
}
