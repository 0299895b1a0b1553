import { Body, Controller, Get, Param, Put, Req } from '@nestjs/common';
import { type PriceView, Subjects } from '@tokenflow/contracts';
import { NatsBus } from '@tokenflow/messaging';
import { validate } from '@tokenflow/openai';
import type { FastifyRequest } from 'fastify';
import { AdminAuthService } from '../auth/admin-auth.service';
import { callContext } from '../http/request-context';
import { priceSetSchema } from './admin.schemas';

/** The price book (owned by billing): a PUT adds a version effective now or at `effective_from`. */
@Controller('admin/v1/models/:id/price')
export class AdminPricesController {
  constructor(
    private readonly admin: AdminAuthService,
    private readonly bus: NatsBus,
  ) {}

  @Get()
  get(@Req() req: FastifyRequest, @Param('id') id: string): Promise<PriceView> {
    this.admin.assertAdmin(req.headers.authorization);
    return this.bus.request(Subjects.billingPriceGet, { model: id }, { ctx: callContext(req) });
  }

  @Put()
  set(@Req() req: FastifyRequest, @Param('id') id: string, @Body() body: unknown): Promise<PriceView> {
    this.admin.assertAdmin(req.headers.authorization);
    return this.bus.request(Subjects.billingPriceSet, { model: id, ...validate(priceSetSchema, body) }, { ctx: callContext(req) });
  }
}
