import { Controller, Inject, Post, Req, Res } from '@nestjs/common';
import { type Endpoint, Headers } from '@tokenflow/contracts';
import { chatRequestSchema, completionsRequestSchema, embeddingsRequestSchema, TokenCounter, validate } from '@tokenflow/openai';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { z } from '@tokenflow/config';
import { INGRESS_CONFIG, type IngressConfig } from '../config';
import { EmbeddingsFormat } from '../gateway/formats/embeddings.format';
import { OpenAiStreamFormat } from '../gateway/formats/openai-stream.format';
import { GatewayService } from '../gateway/gateway.service';
import type { ResponseFormat } from '../gateway/response-format';
import { httpCall } from '../http/request-context';
import { type RouteField, routePreferences } from '../gateway/route-preferences';

type Body = Record<string, unknown> & { model: string; stream?: boolean | null; stream_options?: { include_usage?: boolean } | null };

/** OpenAI's APIs: each validates its body and picks how the shared pipeline's result is presented. */
@Controller('v1')
export class OpenAiApiController {
  constructor(
    private readonly gateway: GatewayService,
    private readonly counter: TokenCounter,
    @Inject(INGRESS_CONFIG) private readonly config: IngressConfig,
  ) {}

  @Post('chat/completions')
  chat(@Req() req: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    return this.serve(req, reply, 'chat', chatRequestSchema, (body) => OpenAiStreamFormat.chat(body.stream === true, streamOptions(body, req.id)));
  }

  /** Legacy Completions, for the providers that still offer them (OpenAI instruct models, DeepSeek FIM, Qwen coder). */
  @Post('completions')
  completions(@Req() req: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    return this.serve(req, reply, 'completions', completionsRequestSchema, (body) => OpenAiStreamFormat.completions(body.stream === true, streamOptions(body, req.id)));
  }

  @Post('embeddings')
  embeddings(@Req() req: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    return this.serve(req, reply, 'embeddings', embeddingsRequestSchema, (body) => new EmbeddingsFormat(body.model, body.encoding_format === 'base64' ? 'base64' : 'float'));
  }

  private async serve(req: FastifyRequest, reply: FastifyReply, endpoint: Endpoint, schema: z.ZodType<Body>, format: (body: Body) => ResponseFormat): Promise<void> {
    const http = httpCall(req, reply, this.config.REQUEST_TIMEOUT_MS);
    // `fallbacks` and `route` are ours (the SDKs' `extra_body`): they steer the plan and never go upstream.
    const { fallbacks, route, ...body } = validate(schema, req.body) as Body & { fallbacks?: string[]; route?: RouteField };
    const prefs = routePreferences(route, req.headers[Headers.latencyTargetMs]);
    const prompt = await this.counter.prompt(body);
    await this.gateway.complete({ ...http, endpoint, body, format: format(body), prompt, prefs, ...(fallbacks ? { fallbacks } : {}) });
  }
}

function streamOptions(body: Body, requestId: string) {
  return { includeUsage: body.stream_options?.include_usage === true, model: body.model, requestId };
}
