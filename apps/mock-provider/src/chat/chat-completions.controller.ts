import { Controller, Post, Req, Res } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { assertApiKey } from '../http/api-key';
import { RequestLogService } from '../request-log/request-log.service';
import { ChatCompletionsService } from './chat-completions.service';

@Controller()
export class ChatCompletionsController {
  constructor(
    private readonly chat: ChatCompletionsService,
    private readonly requestLog: RequestLogService,
  ) {}

  // Both paths, so a channel's base URL works with or without the `/v1` suffix.
  @Post(['chat/completions', 'v1/chat/completions'])
  async create(@Req() req: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    // Logged before auth so tests can see exactly what a misconfigured client sent.
    this.requestLog.record(req);
    assertApiKey(req.headers.authorization);
    await this.chat.respond(req.body, reply);
  }
}
