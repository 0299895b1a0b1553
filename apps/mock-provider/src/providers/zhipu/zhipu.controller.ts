import { Controller, Post, Req, Res, UseGuards } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { ChatCompletionsService } from '../../chat/chat-completions.service';
import { EmbeddingsService } from '../../embeddings/embeddings.service';
import { ProviderGate } from '../provider.gate';
import { ZHIPU_CHAT } from './zhipu-chat.flavor';
import { ZHIPU_EMBEDDINGS } from './zhipu-embeddings.flavor';

/** Zhipu's open platform API (`https://open.bigmodel.cn/api/paas/v4`). */
@Controller('zhipu/api/paas/v4')
@UseGuards(ProviderGate)
export class ZhipuController {
  constructor(
    private readonly chat: ChatCompletionsService,
    private readonly embeddings: EmbeddingsService,
  ) {}

  @Post('chat/completions')
  async chatCompletions(@Req() req: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    await this.chat.respond(req.body, reply, ZHIPU_CHAT);
  }

  @Post('embeddings')
  async createEmbeddings(@Req() req: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    await this.embeddings.respond(req.body, reply, ZHIPU_EMBEDDINGS);
  }
}
