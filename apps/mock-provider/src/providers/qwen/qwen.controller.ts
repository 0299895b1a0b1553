import { Controller, Post, Req, Res } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { ChatCompletionsService } from '../../chat/chat-completions.service';
import { EmbeddingsService } from '../../embeddings/embeddings.service';
import { RequestLogService } from '../../request-log/request-log.service';
import { QWEN_CHAT } from './qwen-chat.flavor';
import { QWEN_EMBEDDINGS } from './qwen-embeddings.flavor';
import { QWEN_ERRORS } from './qwen.dialect';

/** DashScope's OpenAI-compatible mode (`https://dashscope.aliyuncs.com/compatible-mode/v1`). */
@Controller('qwen/compatible-mode/v1')
export class QwenController {
  constructor(
    private readonly chat: ChatCompletionsService,
    private readonly embeddings: EmbeddingsService,
    private readonly requestLog: RequestLogService,
  ) {}

  @Post('chat/completions')
  async chatCompletions(@Req() req: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    this.requestLog.record(req);
    QWEN_ERRORS.authenticate(req.headers);
    await this.chat.respond(req.body, reply, QWEN_CHAT);
  }

  @Post('embeddings')
  async createEmbeddings(@Req() req: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    this.requestLog.record(req);
    QWEN_ERRORS.authenticate(req.headers);
    await this.embeddings.respond(req.body, reply, QWEN_EMBEDDINGS);
  }
}
