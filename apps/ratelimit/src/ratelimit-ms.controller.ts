import { Injectable, type OnApplicationBootstrap } from '@nestjs/common';
import { Subjects } from '@tokenflow/contracts';
import { NatsBus } from '@tokenflow/messaging';
import { createLogger } from '@tokenflow/observability';
import { RateLimitService } from './limits/rate-limit.service';

@Injectable()
export class RatelimitMsController implements OnApplicationBootstrap {
  private readonly log = createLogger('ratelimit');

  constructor(
    private readonly bus: NatsBus,
    private readonly limits: RateLimitService,
  ) {}

  onApplicationBootstrap(): Promise<void> {
    this.bus.serve(Subjects.ratelimitAcquire, (req) => this.limits.acquire(req));
    this.bus.serve(Subjects.ratelimitUpstreamAcquire, (req) => this.limits.acquireUpstream(req));
    this.bus.on(
      Subjects.ratelimitUpstreamSettle,
      (ev) => this.limits.settleUpstream(ev).catch((err: unknown) => this.log.warn({ err, requestId: ev.requestId }, 'upstream settle failed')),
      { shared: true },
    );
    // One replica handles each release; a lost one is covered by the slot's lease.
    this.bus.on(
      Subjects.ratelimitRelease,
      (ev) => this.limits.release(ev).catch((err: unknown) => this.log.warn({ err, requestId: ev.requestId }, 'release failed; the lease will free it')),
      { shared: true },
    );
    return this.bus.flush();
  }
}
