import { Controller, Post, Req, Res, UseGuards } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { ChatCompletionsService } from '../../chat/chat-completions.service';
import { ProviderGate } from '../provider.gate';
import { DEEPSEEK_CHAT } from './deepseek-chat.flavor';

/** DeepSeek offers chat only: `/deepseek/v1/embeddings` is an unknown path (404), as upstream. */
@Controller('deepseek')
@UseGuards(ProviderGate)
export class DeepseekController {
  constructor(
    private readonly chat: ChatCompletionsService,
  ) {}

  // DeepSeek documents both `https://api.deepseek.com` and `…/v1` as base URLs.
  @Post(['chat/completions', 'v1/chat/completions'])
  async chatCompletions(@Req() req: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    await this.chat.respond(req.body, reply, DEEPSEEK_CHAT);
  }
}
