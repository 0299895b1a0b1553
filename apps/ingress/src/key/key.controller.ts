import { Controller, Get, Req } from '@nestjs/common';
import { type KeyInfoReply, Subjects } from '@tokenflow/contracts';
import { NatsBus } from '@tokenflow/messaging';
import type { FastifyRequest } from 'fastify';
import { principalOf } from '../auth/auth.hook';
import { callContext } from '../http/request-context';

/** `GET /v1/key` (as OpenRouter has it): the calling key's own limits and spend, and nothing of anyone else's. */
@Controller('v1/key')
export class KeyController {
  constructor(
    private readonly bus: NatsBus,
  ) {}

  @Get()
  async get(@Req() req: FastifyRequest): Promise<KeyInfoReply> {
    const ctx = callContext(req);
    const principal = principalOf(req);
    return this.bus.request(Subjects.billingKeyInfo, { keyId: principal.keyId }, { ctx });
  }
}
