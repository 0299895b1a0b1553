import { Controller, Post, Req, Res } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { RequestLogService } from '../../request-log/request-log.service';
import { ANTHROPIC_ERRORS } from './anthropic.dialect';
import { MessagesService } from './messages.service';

/** Anthropic's Messages API (`https://api.anthropic.com/v1`): `x-api-key` and `anthropic-version` required. */
@Controller('anthropic/v1/messages')
export class AnthropicController {
  constructor(
    private readonly messages: MessagesService,
    private readonly requestLog: RequestLogService,
  ) {}

  @Post()
  async create(@Req() req: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    this.requestLog.record(req);
    ANTHROPIC_ERRORS.authenticate(req.headers);
    await this.messages.create(req.body, reply);
  }

  @Post('count_tokens')
  async countTokens(@Req() req: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    this.requestLog.record(req);
    ANTHROPIC_ERRORS.authenticate(req.headers);
    await this.messages.countTokens(req.body, reply);
  }
}
