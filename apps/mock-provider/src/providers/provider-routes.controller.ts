import { Controller, Post, Req, Res, UseGuards } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { ChatCompletionsService } from '../chat/chat-completions.service';
import { EmbeddingsService } from '../embeddings/embeddings.service';
import { MessagesService } from './anthropic/messages.service';
import { TextCompletionsService } from './openai/text-completions.service';
import { ProviderGate } from './provider.gate';
import { PROVIDER_ROUTE_PATHS, providerRoute } from './wire.registry';

/**
 * Every provider's routes, from the wire registry: `POST /<id>/<base path>/<route>` runs the route's shared flow in
 * that provider's rendering. Paths no wire declares stay unregistered, so they are the provider's 404.
 */
@Controller()
@UseGuards(ProviderGate)
export class ProviderRoutesController {
  constructor(
    private readonly chat: ChatCompletionsService,
    private readonly embeddings: EmbeddingsService,
    private readonly completions: TextCompletionsService,
    private readonly messages: MessagesService,
  ) {}

  @Post([...PROVIDER_ROUTE_PATHS])
  async handle(@Req() req: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    const { route } = providerRoute(req.routeOptions.url ?? req.url)!;
    switch (route.api) {
      case 'chat':
        return this.chat.respond(req.body, reply, route.flavor);
      case 'embeddings':
        return this.embeddings.respond(req.body, reply, route.flavor);
      case 'completions':
        return this.completions.respond(req.body, reply);
      case 'messages':
        return this.messages.create(req.body, reply);
      case 'count-tokens':
        return this.messages.countTokens(req.body, reply);
    }
  }
}
