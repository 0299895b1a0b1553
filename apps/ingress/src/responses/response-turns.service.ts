import { Inject, Injectable } from '@nestjs/common';
import { type KeyPrincipal, type ResponseItem, type StoredResponse, TfError } from '@tokenflow/contracts';
import type { CallContext } from '@tokenflow/messaging';
import { responseIdOfItem, type ResponsesItem } from '@tokenflow/openai';
import { createLogger } from '@tokenflow/observability';
import { Counter, type Registry } from 'prom-client';
import { METRICS_REGISTRY } from '../health/metrics.tokens';
import { ResponseStoreClient } from './response-store.client';

/** Distinct stored responses one request's `item_reference`s may name: each is one store lookup. */
const MAX_REFERENCED_RESPONSES = 16;

/**
 * The stored side of a Responses API turn: the conversation `previous_response_id` continues, the earlier items
 * `item_reference`s name, and saving the finished turn. Billing stores them (decision 0022); this is ingress's use.
 */
@Injectable()
export class ResponseTurns {
  private readonly log = createLogger('ingress.responses');
  private readonly saveFailures: Counter;

  constructor(
    private readonly store: ResponseStoreClient,
    @Inject(METRICS_REGISTRY) registry: Registry,
  ) {
    this.saveFailures = new Counter({
      name: 'tokenflow_response_store_failures_total',
      help: 'Responses API answers delivered without being stored (store: true), because the store failed',
      registers: [registry],
    });
  }

  /** The items of the conversation `previousId` ends, oldest first; a missing one is the caller's 404. */
  async history(previousId: string | null | undefined, principal: KeyPrincipal, ctx: CallContext): Promise<ResponseItem[]> {
    if (!previousId) return [];
    try {
      return (await this.store.context(previousId, principal.accountId, ctx)).items;
    } catch (err) {
      if (err instanceof TfError && err.status === 404) {
        throw new TfError('not_found', `Previous response with id '${previousId}' not found.`, { param: 'previous_response_id' });
      }
      throw err;
    }
  }

  /**
   * `item_reference`s replaced by the items they name, from the caller's stored responses; references to reasoning
   * are dropped (reasoning never goes back upstream). Another account's or an unknown item is a 400.
   */
  async resolve(items: ResponsesItem[], principal: KeyPrincipal, ctx: CallContext): Promise<ResponsesItem[]> {
    if (!items.some((it) => it.type === 'item_reference')) return items;
    const stored = new Map<string, Promise<StoredResponse | null>>();
    const out: ResponsesItem[] = [];
    for (let i = 0; i < items.length; i++) {
      const it = items[i];
      if (it.type !== 'item_reference') {
        out.push(it);
        continue;
      }
      const id = String(it.id);
      if (id.startsWith('rs_')) continue;
      const responseId = responseIdOfItem(id);
      if (responseId && !stored.has(responseId)) {
        if (stored.size >= MAX_REFERENCED_RESPONSES) throw new TfError('invalid_request', `Invalid 'input': item references may name items of at most ${MAX_REFERENCED_RESPONSES} responses.`, { param: 'input' });
        stored.set(responseId, this.store.get(responseId, principal.accountId, ctx).catch((err: unknown) => (err instanceof TfError && err.status === 404 ? null : Promise.reject(err))));
      }
      const response = responseId ? await stored.get(responseId)! : null;
      const found = response ? findItem(response, id) : undefined;
      if (!found) throw new TfError('invalid_request', `Item with id '${id}' not found.`, { param: `input[${i}].id` });
      out.push(found);
    }
    return out;
  }

  /** Stores the finished turn; never throws — the answer goes out either way (decision 0023). */
  async save(stored: StoredResponse, ctx: CallContext): Promise<void> {
    try {
      await this.store.save(stored, ctx);
    } catch (err) {
      this.saveFailures.inc();
      this.log.error({ err, responseId: stored.id, requestId: ctx.requestId }, 'response not stored; answered anyway');
    }
  }
}

function findItem(response: StoredResponse, id: string): ResponseItem | undefined {
  const output = (response.response.output as ResponseItem[] | undefined) ?? [];
  return output.find((o) => o.id === id) ?? response.input.find((o) => o.id === id);
}
