import { Controller, Post, Req, Res } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { ChatCompletionsService } from '../../chat/chat-completions.service';
import { RequestLogService } from '../../request-log/request-log.service';
import { DEEPSEEK_CHAT } from './deepseek-chat.flavor';
import { DEEPSEEK_ERRORS } from './deepseek.dialect';

/** DeepSeek offers chat only: `/deepseek/v1/embeddings` is an unknown path (404), as upstream. */
@Controller('deepseek')
export class DeepseekController {
  constructor(
    private readonly chat: ChatCompletionsService,
    private readonly requestLog: RequestLogService,
  ) {}

  // DeepSeek documents both `https://api.deepseek.com` and `…/v1` as base URLs.
  @Post(['chat/completions', 'v1/chat/completions'])
  async chatCompletions(@Req() req: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    this.requestLog.record(req);
    DEEPSEEK_ERRORS.authenticate(req.headers);
    await this.chat.respond(req.body, reply, DEEPSEEK_CHAT);
  }
}
