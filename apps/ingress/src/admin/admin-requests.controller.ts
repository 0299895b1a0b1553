import { Controller, Get, Param, Query, Req, UseGuards } from '@nestjs/common';
import { type RequestLogListReply, type RequestLogView, Subjects } from '@tokenflow/contracts';
import { NatsBus } from '@tokenflow/messaging';
import type { FastifyRequest } from 'fastify';
import { AdminGuard } from '../auth/admin.guard';
import { callContext } from '../http/request-context';
import { adminParam, adminValidate } from './admin-input';
import { requestLogQuerySchema } from './admin.schemas';

/** The request log (owned by billing; decision 0020): every finished `/v1` request, newest first. */
@UseGuards(AdminGuard)
@Controller('admin/v1')
export class AdminRequestsController {
  constructor(private readonly bus: NatsBus) {}

  /** Filters, a page of at most 200 (default 50), and `after` = the previous page's `next_cursor`. No content here. */
  @Get('requests')
  list(@Req() req: FastifyRequest, @Query() query: unknown): Promise<RequestLogListReply> {
    return this.bus.request(Subjects.billingRequestsList, adminValidate(requestLogQuerySchema, query), { ctx: callContext(req), timeoutMs: 30_000 });
  }

  /** One entry, with its content when the key had content logging on; 404 when unknown (or past retention). */
  @Get('requests/:id')
  get(@Req() req: FastifyRequest, @Param('id') rawId: string): Promise<RequestLogView> {
    const id = adminParam(rawId, 'id');
    return this.bus.request(Subjects.billingRequestGet, { id }, { ctx: callContext(req) });
  }
}
