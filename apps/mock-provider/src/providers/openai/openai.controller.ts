import { Controller, Post, Req, Res, UseGuards } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { ChatCompletionsService } from '../../chat/chat-completions.service';
import { EmbeddingsService } from '../../embeddings/embeddings.service';
import { ProviderGate } from '../provider.gate';
import { OPENAI_CHAT } from './openai-chat.flavor';
import { OPENAI_EMBEDDINGS } from './openai-embeddings.flavor';
import { TextCompletionsService } from './text-completions.service';

/** OpenAI under its own prefix; the bare `/v1/chat/completions` of `ChatCompletionsController` behaves the same. */
@Controller('openai/v1')
@UseGuards(ProviderGate)
export class OpenaiController {
  constructor(
    private readonly chat: ChatCompletionsService,
    private readonly embeddings: EmbeddingsService,
    private readonly completions: TextCompletionsService,
  ) {}

  @Post('chat/completions')
  async chatCompletions(@Req() req: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    await this.chat.respond(req.body, reply, OPENAI_CHAT);
  }

  @Post('embeddings')
  async createEmbeddings(@Req() req: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    await this.embeddings.respond(req.body, reply, OPENAI_EMBEDDINGS);
  }

  /** Legacy text completions (`gpt-3.5-turbo-instruct`). */
  @Post('completions')
  async textCompletions(@Req() req: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    await this.completions.respond(req.body, reply);
  }
}
