import { Injectable, type OnApplicationBootstrap } from '@nestjs/common';
import { Subjects, TfError } from '@tokenflow/contracts';
import { NatsBus } from '@tokenflow/messaging';
import { createLogger } from '@tokenflow/observability';
import { CancellationRegistry } from './invoke/cancellation.registry';
import { InvokeService } from './invoke/invoke.service';

/** A caller that sent no deadline (a tool, a test) still gets an attempt that ends. */
const UNBOUNDED_CALL_MS = 10 * 60_000;

@Injectable()
export class AdapterMsController implements OnApplicationBootstrap {
  private readonly log = createLogger('provider-adapter.invoke');

  constructor(
    private readonly bus: NatsBus,
    private readonly invoke: InvokeService,
    private readonly cancellations: CancellationRegistry,
  ) {}

  onApplicationBootstrap(): Promise<void> {
    // Ack at once (the caller learns a worker took it), then stream to the caller's inbox until its deadline.
    this.bus.serve(Subjects.adapterInvoke, (req, ctx) => {
      // A caller of another version (mid rolling deploy) may send another shape: refused before anything runs.
      if (!req.size || !req.attempt || !req.inbox) throw new TfError('service_unavailable', 'The invoke request lacks fields this adapter needs.');
      this.invoke.run(req, ctx.deadline ?? Date.now() + UNBOUNDED_CALL_MS).catch((err: unknown) => this.log.error({ err, requestId: req.requestId }, 'attempt failed outside its own error handling'));
      return { accepted: true } as const;
    });
    this.bus.on(Subjects.adapterCancel, (ev) => void this.cancellations.cancel(ev.requestId, ev.reason), { wildcard: true });
    return this.bus.flush();
  }
}
