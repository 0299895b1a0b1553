import { Body, Controller, Delete, Get, HttpCode, Inject, Param, Patch, Post, Query, Req, UseGuards } from '@nestjs/common';
import {
  type AccountCreditReply,
  type AccountView,
  type KeyCreateReply,
  type KeyRevokeReply,
  type KeyView,
  type LedgerVerifyReply,
  type ParkedUsageListReply,
  type ParkedUsageReplayReply,
  Subjects,
  TfError,
  type UsageReportReply,
} from '@tokenflow/contracts';
import { NatsBus } from '@tokenflow/messaging';
import type { FastifyRequest } from 'fastify';
import type { Registry } from 'prom-client';
import { METRICS_REGISTRY } from '../health/metrics.tokens';
import { AdminGuard } from '../auth/admin.guard';
import { adminParam, adminValidate } from './admin-input';
import { callContext } from '../http/request-context';
import { registerSettlementMetrics } from './settlement-metrics';
import {
  accountAdjustSchema,
  accountCreateSchema,
  accountCreditSchema,
  idempotencyKeySchema,
  keyCreateSchema,
  keyPatchSchema,
  parkedQuerySchema,
  rateLimitsPatchSchema,
  usageQuerySchema,
} from './admin.schemas';

/** Accounts and API keys (owned by billing). */
@UseGuards(AdminGuard)
@Controller('admin/v1')
export class AdminBillingController {
  constructor(
    private readonly bus: NatsBus,
    @Inject(METRICS_REGISTRY) registry: Registry,
  ) {
    registerSettlementMetrics(registry, bus);
  }

  @Post('accounts')
  @HttpCode(201)
  createAccount(@Req() req: FastifyRequest, @Body() body: unknown): Promise<AccountView> {
    return this.bus.request(Subjects.billingAccountCreate, adminValidate(accountCreateSchema, body), { ctx: callContext(req) });
  }

  @Get('accounts/:id')
  getAccount(@Req() req: FastifyRequest, @Param('id') rawId: string): Promise<AccountView> {
    const id = adminParam(rawId, 'id');
    return this.bus.request(Subjects.billingAccountGet, { id }, { ctx: callContext(req) });
  }

  /** Rate limits of an account, shared by all its keys (on top of each key's own). */
  @Patch('accounts/:id')
  updateAccount(@Req() req: FastifyRequest, @Param('id') rawId: string, @Body() body: unknown): Promise<AccountView> {
    const id = adminParam(rawId, 'id');
    return this.bus.request(Subjects.billingAccountUpdate, { ...adminValidate(rateLimitsPatchSchema, body), id }, { ctx: callContext(req) });
  }

  /** Top-up. With an `Idempotency-Key` header a retried call is applied once (the reply says `applied: false`). */
  @Post('accounts/:id/credits')
  @HttpCode(200)
  credit(@Req() req: FastifyRequest, @Param('id') rawId: string, @Body() body: unknown): Promise<AccountCreditReply> {
    const id = adminParam(rawId, 'id');
    return this.bus.request(
      Subjects.billingAccountCredit,
      { account_id: id, idempotency_key: idempotencyKey(req), ...adminValidate(accountCreditSchema, body) },
      { ctx: callContext(req) },
    );
  }

  /** A refund or a signed adjustment, with a mandatory note; idempotent like credits. */
  @Post('accounts/:id/adjustments')
  @HttpCode(200)
  adjust(@Req() req: FastifyRequest, @Param('id') rawId: string, @Body() body: unknown): Promise<AccountCreditReply> {
    const id = adminParam(rawId, 'id');
    return this.bus.request(
      Subjects.billingAccountAdjust,
      { account_id: id, idempotency_key: idempotencyKey(req), ...adminValidate(accountAdjustSchema, body) },
      { ctx: callContext(req) },
    );
  }

  /** The ledger invariants (also `npm run billing:verify`). */
  @Get('ledger/verify')
  verify(@Req() req: FastifyRequest): Promise<LedgerVerifyReply> {
    return this.bus.request(Subjects.billingLedgerVerify, {}, { ctx: callContext(req), timeoutMs: 60_000 });
  }

  /** Usage events settlement parked (they failed for a reason of their own); `?all=true` lists replayed ones too. */
  @Get('usage/parked')
  parked(@Req() req: FastifyRequest, @Query() query: unknown): Promise<ParkedUsageListReply> {
    const q = adminValidate(parkedQuerySchema, query);
    return this.bus.request(Subjects.billingParkedList, { all: q.all === 'true', limit: q.limit }, { ctx: callContext(req) });
  }

  /** Replays every parked event (oldest first, up to 500 per call); idempotent, so safe to repeat. */
  @Post('usage/parked/replay')
  @HttpCode(200)
  replayAllParked(@Req() req: FastifyRequest): Promise<ParkedUsageReplayReply> {
    return this.bus.request(Subjects.billingParkedReplay, {}, { ctx: callContext(req), timeoutMs: 60_000 });
  }

  @Post('usage/parked/:id/replay')
  @HttpCode(200)
  replayParked(@Req() req: FastifyRequest, @Param('id') rawId: string): Promise<ParkedUsageReplayReply> {
    const id = adminParam(rawId, 'id');
    return this.bus.request(Subjects.billingParkedReplay, { id }, { ctx: callContext(req), timeoutMs: 30_000 });
  }

  /** Requests, tokens and cost from the ledger, filtered and grouped. */
  @Get('usage')
  usage(@Req() req: FastifyRequest, @Query() query: unknown): Promise<UsageReportReply> {
    return this.bus.request(Subjects.billingUsageReport, adminValidate(usageQuerySchema, query), { ctx: callContext(req), timeoutMs: 30_000 });
  }

  @Post('keys')
  @HttpCode(201)
  createKey(@Req() req: FastifyRequest, @Body() body: unknown): Promise<KeyCreateReply> {
    return this.bus.request(Subjects.billingKeyCreate, adminValidate(keyCreateSchema, body), { ctx: callContext(req) });
  }

  /**
   * Rate limits and fallbacks of a key: fields left out keep their value, null removes a limit (or the key's chain,
   * back to the catalog's). Live on every replica.
   */
  @Patch('keys/:id')
  updateKey(@Req() req: FastifyRequest, @Param('id') rawId: string, @Body() body: unknown): Promise<KeyView> {
    const id = adminParam(rawId, 'id');
    return this.bus.request(Subjects.billingKeyUpdate, { ...adminValidate(keyPatchSchema, body), id }, { ctx: callContext(req) });
  }

  @Delete('keys/:id')
  revokeKey(@Req() req: FastifyRequest, @Param('id') rawId: string): Promise<KeyRevokeReply> {
    const id = adminParam(rawId, 'id');
    return this.bus.request(Subjects.billingKeyRevoke, { id }, { ctx: callContext(req) });
  }
}

/** The `Idempotency-Key` header; without one every call is its own operation. */
function idempotencyKey(req: FastifyRequest): string {
  const header = req.headers['idempotency-key'];
  if (header === undefined) return `once:${req.id}`;
  const parsed = idempotencyKeySchema.safeParse(header);
  if (!parsed.success) {
    throw new TfError('invalid_request', 'The Idempotency-Key header must be 1 to 255 characters.', { param: 'Idempotency-Key' });
  }
  return parsed.data;
}
