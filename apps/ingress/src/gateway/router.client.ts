import { Injectable } from '@nestjs/common';
import { type PlanReply, type PlanRequest, Subjects } from '@tokenflow/contracts';
import { type CallContext, NatsBus } from '@tokenflow/messaging';

/** The router's plan for a request: the model (chosen for `auto`), its limits and the attempts in order. */
@Injectable()
export class RouterClient {
  constructor(private readonly bus: NatsBus) {}

  plan(req: PlanRequest, ctx: CallContext): Promise<PlanReply> {
    return this.bus.request(Subjects.routerPlan, req, { ctx });
  }
}
