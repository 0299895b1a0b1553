import { Controller, Inject, Post, Req, Res } from '@nestjs/common';
import { Headers } from '@tokenflow/contracts';
import { chatRequestSchema, validate } from '@tokenflow/openai';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { AuthService } from '../auth/auth.service';
import { INGRESS_CONFIG, type IngressConfig } from '../config';
import { callContext } from '../http/request-context';
import { requestDeadline } from '../gateway/deadline';
import { OpenAiChatFormat } from '../gateway/formats/openai-chat.format';
import { GatewayService } from '../gateway/gateway.service';

@Controller('v1/chat')
export class ChatCompletionsController {
  constructor(
    private readonly auth: AuthService,
    private readonly gateway: GatewayService,
    @Inject(INGRESS_CONFIG) private readonly config: IngressConfig,
  ) {}

  @Post('completions')
  async create(@Req() req: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    const ctx = callContext(req);
    // Auth before validation, as OpenAI does: an unauthenticated caller learns nothing about the body.
    const principal = await this.auth.principal(req.headers.authorization, ctx);
    const body = validate(chatRequestSchema, req.body);
    const deadlineAt = requestDeadline(req.headers[Headers.timeoutMs], this.config.REQUEST_TIMEOUT_MS);
    const format = new OpenAiChatFormat(body.stream === true, { includeUsage: body.stream_options?.include_usage === true, model: body.model, requestId: req.id });
    await this.gateway.complete({ endpoint: 'chat', body, format, principal, requestId: req.id, deadlineAt, ctx, reply });
  }
}
