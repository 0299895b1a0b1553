import { Injectable, type OnApplicationBootstrap } from '@nestjs/common';
import { Subjects } from '@tokenflow/contracts';
import { NatsBus } from '@tokenflow/messaging';
import { CancellationRegistry } from './invoke/cancellation.registry';
import { InvokeService } from './invoke/invoke.service';

@Injectable()
export class AdapterMsController implements OnApplicationBootstrap {
  constructor(
    private readonly bus: NatsBus,
    private readonly invoke: InvokeService,
    private readonly cancellations: CancellationRegistry,
  ) {}

  onApplicationBootstrap(): Promise<void> {
    // Ack at once (the caller learns a worker took it), then stream to the caller's inbox.
    this.bus.serve(Subjects.adapterInvoke, (req) => {
      void this.invoke.run(req);
      return { accepted: true } as const;
    });
    this.bus.on(Subjects.adapterCancel, (ev) => void this.cancellations.cancel(ev.requestId, ev.reason), { wildcard: true });
    return this.bus.flush();
  }
}
