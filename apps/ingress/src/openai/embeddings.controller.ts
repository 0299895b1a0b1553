import { Controller, Inject, Post, Req, Res } from '@nestjs/common';
import { Headers } from '@tokenflow/contracts';
import { embeddingsRequestSchema, validate } from '@tokenflow/openai';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { AuthService } from '../auth/auth.service';
import { INGRESS_CONFIG, type IngressConfig } from '../config';
import { requestDeadline } from '../gateway/deadline';
import { EmbeddingsFormat } from '../gateway/formats/embeddings.format';
import { GatewayService } from '../gateway/gateway.service';
import { callContext } from '../http/request-context';

/** Embeddings, through the same plan, limits, hold, fallback and ledger as chat. */
@Controller('v1')
export class EmbeddingsController {
  constructor(
    private readonly auth: AuthService,
    private readonly gateway: GatewayService,
    @Inject(INGRESS_CONFIG) private readonly config: IngressConfig,
  ) {}

  @Post('embeddings')
  async create(@Req() req: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    const ctx = callContext(req);
    const principal = await this.auth.principal(req.headers.authorization, ctx);
    const body = validate(embeddingsRequestSchema, req.body);
    const deadlineAt = requestDeadline(req.headers[Headers.timeoutMs], this.config.REQUEST_TIMEOUT_MS);
    await this.gateway.complete({ endpoint: 'embeddings', body, format: new EmbeddingsFormat(body.model, body.encoding_format), principal, requestId: req.id, deadlineAt, ctx, reply });
  }
}
