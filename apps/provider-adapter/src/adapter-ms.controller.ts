import { Injectable, type OnApplicationBootstrap } from '@nestjs/common';
import { Subjects, TfError } from '@tokenflow/contracts';
import { NatsBus } from '@tokenflow/messaging';
import { createLogger } from '@tokenflow/observability';
import { CancellationRegistry } from './invoke/cancellation.registry';
import { InvokeService } from './invoke/invoke.service';
import { ProbeService } from './probe/probe.service';
import { RetryQueue } from './retry/retry.queue';

/** A caller that sent no deadline (a tool, a test) still gets an attempt that ends. */
const UNBOUNDED_CALL_MS = 10 * 60_000;

@Injectable()
export class AdapterMsController implements OnApplicationBootstrap {
  private readonly log = createLogger('provider-adapter.invoke');

  constructor(
    private readonly bus: NatsBus,
    private readonly invoke: InvokeService,
    private readonly cancellations: CancellationRegistry,
    private readonly retries: RetryQueue,
    private readonly probes: ProbeService,
  ) {}

  onApplicationBootstrap(): Promise<void> {
    // Ack at once (the caller learns a worker took it), then stream to the caller's inbox until its deadline.
    this.bus.serve(Subjects.adapterInvoke, async (req, ctx) => {
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
    });
    this.bus.serve(Subjects.adapterProbe, (req, ctx) => this.probes.probe(req, ctx.deadline));
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
}
