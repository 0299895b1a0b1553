import { Body, Controller, Delete, Get, HttpCode, Param, Post, Req } from '@nestjs/common';
import { type AccountView, type KeyCreateReply, type KeyRevokeReply, Subjects } from '@tokenflow/contracts';
import { NatsBus } from '@tokenflow/messaging';
import { validate } from '@tokenflow/openai';
import type { FastifyRequest } from 'fastify';
import { AdminAuthService } from '../auth/admin-auth.service';
import { callContext } from '../http/request-context';
import { accountCreateSchema, keyCreateSchema } from './admin.schemas';

/** Accounts and API keys (owned by billing). */
@Controller('admin/v1')
export class AdminBillingController {
  constructor(
    private readonly admin: AdminAuthService,
    private readonly bus: NatsBus,
  ) {}

  @Post('accounts')
  @HttpCode(201)
  createAccount(@Req() req: FastifyRequest, @Body() body: unknown): Promise<AccountView> {
    this.admin.assertAdmin(req.headers.authorization);
    return this.bus.request(Subjects.billingAccountCreate, validate(accountCreateSchema, body), { ctx: callContext(req) });
  }

  @Get('accounts/:id')
  getAccount(@Req() req: FastifyRequest, @Param('id') id: string): Promise<AccountView> {
    this.admin.assertAdmin(req.headers.authorization);
    return this.bus.request(Subjects.billingAccountGet, { id }, { ctx: callContext(req) });
  }

  @Post('keys')
  @HttpCode(201)
  createKey(@Req() req: FastifyRequest, @Body() body: unknown): Promise<KeyCreateReply> {
    this.admin.assertAdmin(req.headers.authorization);
    return this.bus.request(Subjects.billingKeyCreate, validate(keyCreateSchema, body), { ctx: callContext(req) });
  }

  @Delete('keys/:id')
  revokeKey(@Req() req: FastifyRequest, @Param('id') id: string): Promise<KeyRevokeReply> {
    this.admin.assertAdmin(req.headers.authorization);
    return this.bus.request(Subjects.billingKeyRevoke, { id }, { ctx: callContext(req) });
  }
}
