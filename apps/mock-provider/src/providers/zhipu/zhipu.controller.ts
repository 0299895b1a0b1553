import { Controller, Post, Req, Res } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { ChatCompletionsService } from '../../chat/chat-completions.service';
import { EmbeddingsService } from '../../embeddings/embeddings.service';
import { RequestLogService } from '../../request-log/request-log.service';
import { ZHIPU_CHAT } from './zhipu-chat.flavor';
import { ZHIPU_EMBEDDINGS } from './zhipu-embeddings.flavor';
import { ZHIPU_ERRORS } from './zhipu.dialect';

/** Zhipu's open platform API (`https://open.bigmodel.cn/api/paas/v4`). */
@Controller('zhipu/api/paas/v4')
export class ZhipuController {
  constructor(
    private readonly chat: ChatCompletionsService,
    private readonly embeddings: EmbeddingsService,
    private readonly requestLog: RequestLogService,
  ) {}

  @Post('chat/completions')
  async chatCompletions(@Req() req: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    this.requestLog.record(req);
    ZHIPU_ERRORS.authenticate(req.headers);
    await this.chat.respond(req.body, reply, ZHIPU_CHAT);
  }

  @Post('embeddings')
  async createEmbeddings(@Req() req: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    this.requestLog.record(req);
    ZHIPU_ERRORS.authenticate(req.headers);
    await this.embeddings.respond(req.body, reply, ZHIPU_EMBEDDINGS);
  }
}
