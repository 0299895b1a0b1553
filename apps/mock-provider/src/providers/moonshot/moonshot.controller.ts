import { Controller, Post, Req, Res } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { ChatCompletionsService } from '../../chat/chat-completions.service';
import { RequestLogService } from '../../request-log/request-log.service';
import { MOONSHOT_CHAT } from './moonshot-chat.flavor';
import { MOONSHOT_ERRORS } from './moonshot.dialect';

/** Moonshot offers chat only: `/moonshot/v1/embeddings` is an unknown path (404), as upstream. */
@Controller('moonshot/v1')
export class MoonshotController {
  constructor(
    private readonly chat: ChatCompletionsService,
    private readonly requestLog: RequestLogService,
  ) {}

  @Post('chat/completions')
  async chatCompletions(@Req() req: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    this.requestLog.record(req);
    MOONSHOT_ERRORS.authenticate(req.headers);
    await this.chat.respond(req.body, reply, MOONSHOT_CHAT);
  }
}
