import { Controller, Post, Req, Res, UseGuards } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { ChatCompletionsService } from '../../chat/chat-completions.service';
import { ProviderGate } from '../provider.gate';
import { MOONSHOT_CHAT } from './moonshot-chat.flavor';

/** Moonshot offers chat only: `/moonshot/v1/embeddings` is an unknown path (404), as upstream. */
@Controller('moonshot/v1')
@UseGuards(ProviderGate)
export class MoonshotController {
  constructor(
    private readonly chat: ChatCompletionsService,
  ) {}

  @Post('chat/completions')
  async chatCompletions(@Req() req: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    await this.chat.respond(req.body, reply, MOONSHOT_CHAT);
  }
}
