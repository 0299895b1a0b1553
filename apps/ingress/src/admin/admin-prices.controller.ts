import { Body, Controller, Get, Param, Put, Req, UseGuards } from '@nestjs/common';
import { type PriceView, Subjects } from '@tokenflow/contracts';
import { NatsBus } from '@tokenflow/messaging';
import type { FastifyRequest } from 'fastify';
import { AdminGuard } from '../auth/admin.guard';
import { adminParam, adminValidate } from './admin-input';
import { callContext } from '../http/request-context';
import { priceSetSchema } from './admin.schemas';

/** The price book (owned by billing): a PUT adds a version effective now or at `effective_from`. */
@UseGuards(AdminGuard)
@Controller('admin/v1/models/:id/price')
export class AdminPricesController {
  constructor(private readonly bus: NatsBus) {}

  @Get()
  get(@Req() req: FastifyRequest, @Param('id') rawId: string): Promise<PriceView> {
    const id = adminParam(rawId, 'id');
    return this.bus.request(Subjects.billingPriceGet, { model: id }, { ctx: callContext(req) });
  }

  @Put()
  set(@Req() req: FastifyRequest, @Param('id') rawId: string, @Body() body: unknown): Promise<PriceView> {
    const id = adminParam(rawId, 'id');
    return this.bus.request(Subjects.billingPriceSet, { model: id, ...adminValidate(priceSetSchema, body) }, { ctx: callContext(req) });
  }
}
