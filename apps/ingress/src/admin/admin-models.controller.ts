import { Body, Controller, Get, Param, Patch, Req, UseGuards } from '@nestjs/common';
import { type CatalogListReply, type CatalogModelView, Subjects } from '@tokenflow/contracts';
import { NatsBus } from '@tokenflow/messaging';
import type { FastifyRequest } from 'fastify';
import { AdminGuard } from '../auth/admin.guard';
import { callContext } from '../http/request-context';
import { adminParam, adminValidate } from './admin-input';
import { catalogModelPatchSchema } from './admin.schemas';

/** The model catalog (owned by router): limits, inputs and each model's fallback chain. */
@UseGuards(AdminGuard)
@Controller('admin/v1/models')
export class AdminModelsController {
  constructor(private readonly bus: NatsBus) {}

  @Get()
  list(@Req() req: FastifyRequest): Promise<CatalogListReply> {
    return this.bus.request(Subjects.routerCatalogList, {}, { ctx: callContext(req) });
  }

  @Patch(':id')
  update(@Req() req: FastifyRequest, @Param('id') rawId: string, @Body() body: unknown): Promise<CatalogModelView> {
    const id = adminParam(rawId, 'id');
    return this.bus.request(Subjects.routerCatalogUpdate, { id, patch: adminValidate(catalogModelPatchSchema, body) }, { ctx: callContext(req) });
  }
}
