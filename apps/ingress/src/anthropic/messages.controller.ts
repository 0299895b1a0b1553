import { Controller, HttpCode, Inject, Post, Req, Res } from '@nestjs/common';
import { RouteConfig } from '@nestjs/platform-fastify';
import { toChatRequest, validateCountTokensRequest, validateMessagesRequest } from '@tokenflow/anthropic';
import { Headers } from '@tokenflow/contracts';
import { TokenCounter } from '@tokenflow/openai';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { principalOf } from '../auth/auth.hook';
import { INGRESS_CONFIG, type IngressConfig } from '../config';
import { AnthropicMessagesFormat } from '../gateway/formats/anthropic-messages.format';
import { servesApi } from '../gateway/formats/api-errors';
import { GatewayService } from '../gateway/gateway.service';
import { routePreferences } from '../gateway/route-preferences';
import { httpCall } from '../http/request-context';

/**
 * Anthropic's Messages API, so the official Anthropic SDK works against TokenFlow unchanged, on any model (any
 * provider, `auto` included). Requests are translated into the OpenAI shape every provider adapter speaks; errors
 * leave in Anthropic's format, before and during a stream (`ANTHROPIC_ERRORS`).
 */
@Controller('v1/messages')
export class MessagesController {
  constructor(
    private readonly gateway: GatewayService,
    private readonly counter: TokenCounter,
    @Inject(INGRESS_CONFIG) private readonly config: IngressConfig,
  ) {}

  @Post()
  @RouteConfig(servesApi('anthropic'))
  async create(@Req() req: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    const http = httpCall(req, reply, this.config.REQUEST_TIMEOUT_MS);
    const request = validateMessagesRequest(req.body);
    const { fallbacks, route } = request;
    const prefs = routePreferences(route, req.headers[Headers.latencyTargetMs]);
    const body = toChatRequest(request) as Record<string, unknown> & { model: string };
    const prompt = await this.counter.prompt(body);
    const format = new AnthropicMessagesFormat(request.stream === true, { requestId: req.id, model: request.model, inputTokensEstimate: prompt.tokens });
    await this.gateway.complete({ ...http, endpoint: 'chat', body, format, prompt, prefs, ...(fallbacks ? { fallbacks } : {}) });
  }

  /** The prompt as it will go upstream, counted the way holds count it, so the two agree. */
  @Post('count_tokens')
  @RouteConfig(servesApi('anthropic'))
  @HttpCode(200)
  async countTokens(@Req() req: FastifyRequest): Promise<{ input_tokens: number }> {
    principalOf(req);
    return { input_tokens: (await this.counter.prompt(toChatRequest(validateCountTokensRequest(req.body)))).tokens };
  }
}
