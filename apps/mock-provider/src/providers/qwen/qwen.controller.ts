import { Controller, Post, Req, Res, UseGuards } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { ChatCompletionsService } from '../../chat/chat-completions.service';
import { EmbeddingsService } from '../../embeddings/embeddings.service';
import { ProviderGate } from '../provider.gate';
import { QWEN_CHAT } from './qwen-chat.flavor';
import { QWEN_EMBEDDINGS } from './qwen-embeddings.flavor';

/** DashScope's OpenAI-compatible mode (`https://dashscope.aliyuncs.com/compatible-mode/v1`). */
@Controller('qwen/compatible-mode/v1')
@UseGuards(ProviderGate)
export class QwenController {
  constructor(
    private readonly chat: ChatCompletionsService,
    private readonly embeddings: EmbeddingsService,
  ) {}

  @Post('chat/completions')
  async chatCompletions(@Req() req: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    await this.chat.respond(req.body, reply, QWEN_CHAT);
  }

  @Post('embeddings')
  async createEmbeddings(@Req() req: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    await this.embeddings.respond(req.body, reply, QWEN_EMBEDDINGS);
  }
}
