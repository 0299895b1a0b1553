import { Controller, Inject, Post, Req, Res } from '@nestjs/common';
import { Headers } from '@tokenflow/contracts';
import { completionsRequestSchema, validate } from '@tokenflow/openai';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { AuthService } from '../auth/auth.service';
import { INGRESS_CONFIG, type IngressConfig } from '../config';
import { requestDeadline } from '../gateway/deadline';
import { OpenAiCompletionsFormat } from '../gateway/formats/openai-completions.format';
import { GatewayService } from '../gateway/gateway.service';
import { callContext } from '../http/request-context';

/** Legacy Completions, for the providers that still offer them (OpenAI instruct models, DeepSeek FIM, Qwen coder). */
@Controller('v1')
export class CompletionsController {
  constructor(
    private readonly auth: AuthService,
    private readonly gateway: GatewayService,
    @Inject(INGRESS_CONFIG) private readonly config: IngressConfig,
  ) {}

  @Post('completions')
  async create(@Req() req: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    const ctx = callContext(req);
    const principal = await this.auth.principal(req.headers.authorization, ctx);
    const body = validate(completionsRequestSchema, req.body);
    const deadlineAt = requestDeadline(req.headers[Headers.timeoutMs], this.config.REQUEST_TIMEOUT_MS);
    const format = new OpenAiCompletionsFormat(body.stream === true, { includeUsage: body.stream_options?.include_usage === true, model: body.model, requestId: req.id });
    await this.gateway.complete({ endpoint: 'completions', body, format, principal, requestId: req.id, deadlineAt, ctx, reply });
  }
}
