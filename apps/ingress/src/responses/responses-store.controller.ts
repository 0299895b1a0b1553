import { Controller, Delete, Get, Param, Query, Req, Res } from '@nestjs/common';
import { type ResponseDeleteReply, type ResponseInputItemsRequest, TfError } from '@tokenflow/contracts';
import { RESPONSES_INCLUDE } from '@tokenflow/openai';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { principalOf } from '../auth/auth.hook';
import { callContext } from '../http/request-context';
import { ResponseStoreClient } from './response-store.client';

/** What `include` may name (OpenAI's `Includable`); stored items are kept whole, so each is accepted and already there. */
const INCLUDABLE: ReadonlySet<string> = new Set(RESPONSES_INCLUDE);

/**
 * Stored responses (decision 0022; billing keeps them): `GET /v1/responses/{id}`, `GET /v1/responses/{id}/input_items`,
 * `DELETE /v1/responses/{id}` — for the calling key's account only: another account's id is a 404 like an unknown one.
 * `POST /v1/responses` is `ResponsesController`'s.
 */
@Controller('v1/responses')
export class ResponsesStoreController {
  constructor(private readonly store: ResponseStoreClient) {}

  /**
   * The Response object as it was returned when it was created: billing's JSON text sent as it is, so reading a large
   * stored response costs ingress no parse and no encode.
   */
  @Get(':id')
  async get(@Req() req: FastifyRequest, @Res() reply: FastifyReply, @Param('id') id: string): Promise<void> {
    const json = await this.store.getJson(id, principalOf(req).accountId, callContext(req));
    await reply.header('content-type', 'application/json; charset=utf-8').send(typeof json === 'string' ? json : Buffer.from(json.buffer, json.byteOffset, json.byteLength));
  }

  /** OpenAI's list: `after` (an item id), `limit` 1–100 (20), `order` `desc` (default) or `asc`, `include`. */
  @Get(':id/input_items')
  async inputItems(@Req() req: FastifyRequest, @Res() reply: FastifyReply, @Param('id') id: string, @Query() query: Record<string, unknown>): Promise<void> {
    const json = await this.store.inputItemsJson({ id, accountId: principalOf(req).accountId, ...inputItemsQuery(query) }, callContext(req));
    await reply.header('content-type', 'application/json; charset=utf-8').send(typeof json === 'string' ? json : Buffer.from(json.buffer, json.byteOffset, json.byteLength));
  }

  @Delete(':id')
  delete(@Req() req: FastifyRequest, @Param('id') id: string): Promise<ResponseDeleteReply> {
    return this.store.delete(id, principalOf(req).accountId, callContext(req));
  }
}

/** The query of `input_items`, validated: each bad parameter is a 400 naming it. */
export function inputItemsQuery(query: Record<string, unknown>): Pick<ResponseInputItemsRequest, 'after' | 'limit' | 'order'> {
  const out: Pick<ResponseInputItemsRequest, 'after' | 'limit' | 'order'> = {};
  const after = single(query, 'after');
  if (after !== undefined) {
    if (after.length === 0 || after.length > 200) throw invalid('after', 'after must be the id of one of the response\'s input items.');
    out.after = after;
  }
  const limit = single(query, 'limit');
  if (limit !== undefined) {
    if (!/^\d{1,3}$/.test(limit) || Number(limit) < 1 || Number(limit) > 100) throw invalid('limit', `limit must be an integer from 1 to 100 (got '${limit.slice(0, 20)}').`);
    out.limit = Number(limit);
  }
  const order = single(query, 'order');
  if (order !== undefined) {
    if (order !== 'asc' && order !== 'desc') throw invalid('order', `order must be 'asc' or 'desc' (got '${order.slice(0, 20)}').`);
    out.order = order;
  }
  for (const key of ['include', 'include[]']) {
    const raw = query[key];
    if (raw === undefined) continue;
    for (const value of Array.isArray(raw) ? raw : [raw]) {
      if (typeof value !== 'string' || !INCLUDABLE.has(value)) {
        throw invalid('include', `include may list only ${[...INCLUDABLE].join(', ')} (got '${String(value).slice(0, 60)}').`);
      }
    }
  }
  return out;
}

function single(query: Record<string, unknown>, key: string): string | undefined {
  const v = query[key];
  if (v === undefined) return undefined;
  if (typeof v !== 'string') throw invalid(key, `${key} must be given once.`);
  return v;
}

function invalid(param: string, message: string): TfError {
  return new TfError('invalid_request', message, { param });
}
