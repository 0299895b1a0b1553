import { Injectable, type OnApplicationBootstrap } from '@nestjs/common';
import { Subjects } from '@tokenflow/contracts';
import { NatsBus } from '@tokenflow/messaging';
import { RequestLogService } from './request-log.service';

/** The request log's NATS surface (the admin API's `GET /admin/v1/requests[/{id}]`): thin, the service answers. */
@Injectable()
export class RequestLogMsController implements OnApplicationBootstrap {
  constructor(
    private readonly bus: NatsBus,
    private readonly requests: RequestLogService,
  ) {}

  onApplicationBootstrap(): Promise<void> {
    this.bus.serve(Subjects.billingRequestsList, (req) => this.requests.list(req));
    this.bus.serve(Subjects.billingRequestGet, (req) => this.requests.get(req.id));
    return this.bus.flush();
  }
}
