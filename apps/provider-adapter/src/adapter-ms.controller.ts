import { Injectable, type OnApplicationBootstrap } from '@nestjs/common';
import { Subjects } from '@tokenflow/contracts';
import { NatsBus } from '@tokenflow/messaging';
import { CancellationRegistry } from './invoke/cancellation.registry';
import { InvokeService } from './invoke/invoke.service';

/** A caller that sent no deadline (a tool, a test) still gets an attempt that ends. */
const UNBOUNDED_CALL_MS = 10 * 60_000;

@Injectable()
export class AdapterMsController implements OnApplicationBootstrap {
  constructor(
    private readonly bus: NatsBus,
    private readonly invoke: InvokeService,
    private readonly cancellations: CancellationRegistry,
  ) {}

  onApplicationBootstrap(): Promise<void> {
    // Ack at once (the caller learns a worker took it), then stream to the caller's inbox until its deadline.
    this.bus.serve(Subjects.adapterInvoke, (req, ctx) => {
      void this.invoke.run(req, ctx.deadline ?? Date.now() + UNBOUNDED_CALL_MS);
      return { accepted: true } as const;
    });
    this.bus.on(Subjects.adapterCancel, (ev) => void this.cancellations.cancel(ev.requestId, ev.reason), { wildcard: true });
    return this.bus.flush();
  }
}
