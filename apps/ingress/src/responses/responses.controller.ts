import { Controller, Inject, Post, Req, Res } from '@nestjs/common';
import { Headers } from '@tokenflow/contracts';
import { inputItems, normaliseInput, ResponseIds, responsesRequestSchema, responsesToChatRequest, TokenCounter, validate } from '@tokenflow/openai';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { INGRESS_CONFIG, type IngressConfig } from '../config';
import { ResponsesFormat } from '../gateway/formats/responses.format';
import { GatewayService } from '../gateway/gateway.service';
import { routePreferences } from '../gateway/route-preferences';
import { httpCall } from '../http/request-context';
import { ResponseTurns } from './response-turns.service';
import { StoringClientChannel } from './storing-client-channel';

/**
 * OpenAI's Responses API (`POST /v1/responses`) on every chat model and `auto`: the request is translated to chat
 * and runs the chat pipeline (plan, limits, hold, attempts, usage, ledger), its chunks re-told as Responses events
 * or one Response object (decision 0023). Errors in OpenAI's format. Stored responses (`store`, default true) are
 * saved before the client sees the finished Response; `previous_response_id` prepends the stored conversation.
 */
@Controller('v1/responses')
export class ResponsesController {
  constructor(
    private readonly gateway: GatewayService,
    private readonly counter: TokenCounter,
    private readonly turns: ResponseTurns,
    @Inject(INGRESS_CONFIG) private readonly config: IngressConfig,
  ) {}

  @Post()
  async create(@Req() req: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    const http = httpCall(req, reply, this.config.REQUEST_TIMEOUT_MS);
    const { fallbacks, route, ...request } = validate(responsesRequestSchema, req.body);
    const prefs = routePreferences(route, req.headers[Headers.latencyTargetMs]);
    const { principal, ctx } = http;
    // The stored items it pulls in count against the body limit, and toward what is encoded off the event loop.
    const { history, input, addedBytes } = await this.turns.context(request.previous_response_id, inputItems(request.input), principal, ctx, http.bodyBytes, this.config.BODY_LIMIT_BYTES);
    const bodyBytes = http.bodyBytes + addedBytes;
    const body = responsesToChatRequest({ ...request, input: input as typeof request.input }, history);
    const prompt = await this.counter.prompt(body);
    const ids = new ResponseIds();
    const createdAt = Math.floor(Date.now() / 1000);
    const format = new ResponsesFormat(request.stream === true, { ids, createdAt, model: request.model, request });
    let client = http.client;
    if (request.store !== false) {
      const stored = normaliseInput(input, ids);
      client = new StoringClientChannel(
        http.client,
        () => format.takeFinished(),
        (response) =>
          this.turns.save(
            { id: ids.response, accountId: principal.accountId, keyId: principal.keyId, createdAt, model: String(response.model), previousResponseId: request.previous_response_id ?? null, input: stored as never, response },
            bodyBytes,
            ctx,
          ),
      );
    }
    await this.gateway.complete({ ...http, bodyBytes, client, endpoint: 'chat', body, format, prompt, prefs, ...(fallbacks ? { fallbacks } : {}) });
    if (client instanceof StoringClientChannel) await client.flushed();
  }
}
