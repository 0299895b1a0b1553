import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post, Req, UseGuards } from '@nestjs/common';
import { type ChannelDeleteReply, type ChannelListReply, type ChannelTestReply, type ChannelView, Subjects } from '@tokenflow/contracts';
import { NatsBus } from '@tokenflow/messaging';
import type { FastifyRequest } from 'fastify';
import { AdminGuard } from '../auth/admin.guard';
import { adminParam, adminValidate } from './admin-input';
import { callContext } from '../http/request-context';
import { channelCreateSchema, channelPatchSchema, channelTestSchema } from './admin.schemas';

/** A channel test probes every key, a few at a time, each within its own budget: the call may take a while. */
const CHANNEL_TEST_TIMEOUT_MS = 120_000;

/** Upstream channels (owned by router); changes apply on every router replica without a restart. */
@UseGuards(AdminGuard)
@Controller('admin/v1/channels')
export class AdminChannelsController {
  constructor(private readonly bus: NatsBus) {}

  @Post()
  @HttpCode(201)
  create(@Req() req: FastifyRequest, @Body() body: unknown): Promise<ChannelView> {
    return this.bus.request(Subjects.routerChannelCreate, adminValidate(channelCreateSchema, body), { ctx: callContext(req) });
  }

  @Get()
  list(@Req() req: FastifyRequest): Promise<ChannelListReply> {
    return this.bus.request(Subjects.routerChannelList, {}, { ctx: callContext(req) });
  }

  @Get(':id')
  get(@Req() req: FastifyRequest, @Param('id') rawId: string): Promise<ChannelView> {
    const id = adminParam(rawId, 'id');
    return this.bus.request(Subjects.routerChannelGet, { id }, { ctx: callContext(req) });
  }

  @Patch(':id')
  update(@Req() req: FastifyRequest, @Param('id') rawId: string, @Body() body: unknown): Promise<ChannelView> {
    const id = adminParam(rawId, 'id');
    return this.bus.request(Subjects.routerChannelUpdate, { id, patch: adminValidate(channelPatchSchema, body) }, { ctx: callContext(req) });
  }

  /** One minimal request per key of the channel: each key's latency and the upstream's answer or error. */
  @Post(':id/test')
  @HttpCode(200)
  test(@Req() req: FastifyRequest, @Param('id') rawId: string, @Body() body: unknown): Promise<ChannelTestReply> {
    const id = adminParam(rawId, 'id');
    const { model } = adminValidate(channelTestSchema, body ?? {});
    return this.bus.request(Subjects.routerChannelTest, { id, ...(model ? { model } : {}) }, { ctx: callContext(req), timeoutMs: CHANNEL_TEST_TIMEOUT_MS });
  }

  @Delete(':id')
  remove(@Req() req: FastifyRequest, @Param('id') rawId: string): Promise<ChannelDeleteReply> {
    const id = adminParam(rawId, 'id');
    return this.bus.request(Subjects.routerChannelDelete, { id }, { ctx: callContext(req) });
  }
}
