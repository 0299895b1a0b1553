import { Controller, Inject, Post, Req, Res } from '@nestjs/common';
import { countTokens, toChatRequest, validateCountTokensRequest, validateMessagesRequest } from '@tokenflow/anthropic';
import { Headers } from '@tokenflow/contracts';
import { estimatePromptTokens } from '@tokenflow/openai';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { AuthService } from '../auth/auth.service';
import { INGRESS_CONFIG, type IngressConfig } from '../config';
import { requestDeadline } from '../gateway/deadline';
import { AnthropicMessagesFormat } from '../gateway/formats/anthropic-messages.format';
import { GatewayService } from '../gateway/gateway.service';
import { callContext } from '../http/request-context';

/**
 * Anthropic's Messages API, so the official Anthropic SDK works against TokenFlow unchanged, on any model (any
 * provider, `auto` included). Requests are translated into the OpenAI shape every provider adapter speaks; errors
 * leave in Anthropic's format (see `sendError`).
 */
@Controller('v1/messages')
export class MessagesController {
  constructor(
    private readonly auth: AuthService,
    private readonly gateway: GatewayService,
    @Inject(INGRESS_CONFIG) private readonly config: IngressConfig,
  ) {}

  @Post()
  async create(@Req() req: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    const ctx = callContext(req);
    const principal = await this.auth.principal(anthropicAuthorization(req), ctx);
    const request = validateMessagesRequest(req.body);
    const body = toChatRequest(request) as Record<string, unknown> & { model: string };
    const deadlineAt = requestDeadline(req.headers[Headers.timeoutMs], this.config.REQUEST_TIMEOUT_MS);
    const format = new AnthropicMessagesFormat(request.stream === true, { requestId: req.id, model: request.model, inputTokensEstimate: estimatePromptTokens(body) });
    await this.gateway.complete({ endpoint: 'chat', body, format, principal, requestId: req.id, deadlineAt, ctx, reply });
  }

  @Post('count_tokens')
  async countTokens(@Req() req: FastifyRequest): Promise<{ input_tokens: number }> {
    await this.auth.principal(anthropicAuthorization(req), callContext(req));
    return countTokens(validateCountTokensRequest(req.body));
  }
}

/** Anthropic clients send the key as `x-api-key`; a Bearer token works too (proxies, Claude Code's auth token). */
function anthropicAuthorization(req: FastifyRequest): string | undefined {
  const apiKey = req.headers['x-api-key'];
  if (typeof apiKey === 'string' && apiKey) return `Bearer ${apiKey}`;
  return req.headers.authorization;
}
