import { Controller, Get, Req } from '@nestjs/common';
import { type ModelCard, type ModelsListReply, Subjects, TfError } from '@tokenflow/contracts';
import { NatsBus } from '@tokenflow/messaging';
import type { FastifyRequest } from 'fastify';
import { principalOf } from '../auth/auth.hook';
import { callContext } from '../http/request-context';

/** The longest path parameter the router takes (`maxParamLength`). */
const MAX_MODEL_ID = 512;

/** OpenAI's models endpoints, showing only what the calling key may use. */
@Controller('v1/models')
export class ModelsController {
  constructor(
    private readonly bus: NatsBus,
  ) {}

  @Get()
  async list(@Req() req: FastifyRequest): Promise<ModelsListReply> {
    const ctx = callContext(req);
    const principal = principalOf(req);
    return this.bus.request(Subjects.routerModelsList, { allowedModels: principal.models }, { ctx });
  }

  /** Model ids may contain slashes (`org/model`), so the rest of the path is the id. */
  @Get('*')
  async get(@Req() req: FastifyRequest): Promise<ModelCard & { pricing?: Record<string, string> }> {
    const ctx = callContext(req);
    const principal = principalOf(req);
    // Already decoded by the router (a second decode would turn `%25zz` into a URIError, a 500).
    const modelId = (req.params as Record<string, string>)['*'] ?? '';
    // The wildcard route has no parameter length limit of its own: the same 414 as every other path parameter.
    if (modelId.length > MAX_MODEL_ID) throw new TfError('uri_too_long', 'The request URL is too long.');
    if (modelId.includes('\u0000')) {
      throw new TfError('model_not_found', 'The model does not exist or you do not have access to it.', { param: 'model' });
    }
    const [card, price] = await Promise.all([
      this.bus.request(Subjects.routerModelGet, { id: modelId, allowedModels: principal.models }, { ctx }),
      this.bus.request(Subjects.billingPriceGet, { model: modelId }, { ctx }).catch(() => null),
    ]);
    // An extra field, ignored by OpenAI clients: what a million tokens cost right now.
    return price ? { ...card, pricing: { input_usd_per_mtok: price.input_usd_per_mtok, output_usd_per_mtok: price.output_usd_per_mtok } } : card;
  }
}
