import { Controller, Inject, Post, Req, Res } from '@nestjs/common';
import { Headers } from '@tokenflow/contracts';
import { chatRequestSchema, validate } from '@tokenflow/openai';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { AuthService } from '../auth/auth.service';
import { INGRESS_CONFIG, type IngressConfig } from '../config';
import { callContext } from '../http/request-context';
import { ChatService } from './chat.service';
import { requestDeadline } from './deadline';

@Controller('v1/chat')
export class ChatCompletionsController {
  constructor(
    private readonly auth: AuthService,
    private readonly chat: ChatService,
    @Inject(INGRESS_CONFIG) private readonly config: IngressConfig,
  ) {}

  @Post('completions')
  async create(@Req() req: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    const ctx = callContext(req);
    // Auth before validation, as OpenAI does: an unauthenticated caller learns nothing about the body.
    const principal = await this.auth.principal(req.headers.authorization, ctx);
    const body = validate(chatRequestSchema, req.body);
    const deadlineAt = requestDeadline(req.headers[Headers.timeoutMs], this.config.REQUEST_TIMEOUT_MS);
    await this.chat.complete({ body, principal, requestId: req.id, deadlineAt, ctx, reply });
  }
}
