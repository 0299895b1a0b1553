import { Body, Controller, Get, Param, Patch, Req, UseGuards } from '@nestjs/common';
import { type CategoryPriorView, Subjects } from '@tokenflow/contracts';
import { NatsBus } from '@tokenflow/messaging';
import type { FastifyRequest } from 'fastify';
import { AdminGuard } from '../auth/admin.guard';
import { callContext } from '../http/request-context';
import { adminParam, adminValidate } from './admin-input';
import { categoryPriorPatchSchema } from './admin.schemas';

/** `auto`'s task categories (owned by router): the prior blended with the classifier for each. */
@UseGuards(AdminGuard)
@Controller('admin/v1/categories')
export class AdminCategoriesController {
  constructor(private readonly bus: NatsBus) {}

  /** `auto`'s per-category priors (expected premium gain and answer length). */
  @Get()
  priors(@Req() req: FastifyRequest): Promise<{ object: 'list'; data: CategoryPriorView[] }> {
    return this.bus.request(Subjects.routerPriorsList, {}, { ctx: callContext(req) });
  }

  @Patch(':category')
  updatePrior(@Req() req: FastifyRequest, @Param('category') raw: string, @Body() body: unknown): Promise<CategoryPriorView> {
    const category = adminParam(raw, 'category');
    return this.bus.request(Subjects.routerPriorUpdate, { category, patch: adminValidate(categoryPriorPatchSchema, body) }, { ctx: callContext(req) });
  }
}
