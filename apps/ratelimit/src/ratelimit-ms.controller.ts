import { Injectable, type OnApplicationBootstrap } from '@nestjs/common';
import { Subjects } from '@tokenflow/contracts';
import { NatsBus } from '@tokenflow/messaging';
import { RateLimitService } from './limits/rate-limit.service';

@Injectable()
export class RatelimitMsController implements OnApplicationBootstrap {
  constructor(
    private readonly bus: NatsBus,
    private readonly limits: RateLimitService,
  ) {}

  onApplicationBootstrap(): Promise<void> {
    this.bus.serve(Subjects.ratelimitAcquire, (req) => this.limits.acquire(req));
    return this.bus.flush();
  }
}
