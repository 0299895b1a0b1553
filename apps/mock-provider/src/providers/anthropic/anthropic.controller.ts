import { Controller, Post, Req, Res, UseGuards } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { ProviderGate } from '../provider.gate';
import { MessagesService } from './messages.service';

/** Anthropic's Messages API (`https://api.anthropic.com/v1`): `x-api-key` and `anthropic-version` required. */
@Controller('anthropic/v1/messages')
@UseGuards(ProviderGate)
export class AnthropicController {
  constructor(
    private readonly messages: MessagesService,
  ) {}

  @Post()
  async create(@Req() req: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    await this.messages.create(req.body, reply);
  }

  @Post('count_tokens')
  async countTokens(@Req() req: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    await this.messages.countTokens(req.body, reply);
  }
}
