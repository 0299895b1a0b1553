import { Inject, Injectable } from '@nestjs/common';
import { type KeyPrincipal, type ResponseItem, type ResponseItemRef, type StoredResponse, TfError } from '@tokenflow/contracts';
import type { CallContext } from '@tokenflow/messaging';
import { responseIdOfItem, type ResponsesItem } from '@tokenflow/openai';
import { createLogger } from '@tokenflow/observability';
import { Counter, type Registry } from 'prom-client';
import { METRICS_REGISTRY } from '../health/metrics.tokens';
import { ResponseStoreClient } from './response-store.client';

/** Nodes `approxJsonBytes` visits before it calls a value large: the walk stays O(1) however large the value. */
const APPROX_MAX_NODES = 4_096;

/** A turn's stored context: the items it adds to the upstream body, and their size. */
export interface TurnContext {
  /** The conversation `previous_response_id` continues, oldest first. */
  history: ResponseItem[];
  /** This turn's items, `item_reference`s replaced by the items they name. */
  input: ResponsesItem[];
  /** What the stored items add to the request as received: history plus referenced items, in bytes. */
  addedBytes: number;
}

/**
 * The stored side of a Responses API turn: the conversation `previous_response_id` continues, the earlier items
 * `item_reference`s name, and saving the finished turn. Billing stores them (decision 0022); this is ingress's use.
 * One size limit holds end to end: the request as received plus what it pulls from the store is at most the body
 * limit (`BODY_LIMIT_BYTES`), so a small request cannot grow into a large upstream body.
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

  /**
   * History and references of one turn, fetched together, each at most what the limit leaves after the request's own
   * `bodyBytes`, and all of it together at most `limitBytes`: past it a 413 naming what pulled it in.
   */
  async context(previousId: string | null | undefined, items: ResponsesItem[], principal: KeyPrincipal, ctx: CallContext, bodyBytes: number, limitBytes: number): Promise<TurnContext> {
    const room = Math.max(0, limitBytes - bodyBytes);
    const [history, resolved] = await Promise.all([this.history(previousId, principal, ctx), this.resolve(items, principal, ctx, room)]);
    const total = bodyBytes + history.bytes + resolved.bytes;
    if (total > limitBytes) {
      const param = resolved.bytes > 0 ? 'input' : 'previous_response_id';
      throw new TfError(
        'request_too_large',
        `The request with the stored items it names (${history.bytes} bytes of previous_response_id's conversation, ${resolved.bytes} of item references, ${bodyBytes} of its own) is ${total} bytes, more than the ${limitBytes} a request may be. Send fewer items, or start a new conversation.`,
        { param },
      );
    }
    return { history: history.items, input: resolved.items, addedBytes: history.bytes + resolved.bytes };
  }

  /** The items of the conversation `previousId` ends, oldest first; a missing one is the caller's 404. */
  async history(previousId: string | null | undefined, principal: KeyPrincipal, ctx: CallContext): Promise<{ items: ResponseItem[]; bytes: number }> {
    if (!previousId) return { items: [], bytes: 0 };
    try {
      const { items, bytes } = await this.store.context(previousId, principal.accountId, ctx);
      return { items, bytes: bytes ?? 0 };
    } catch (err) {
      if (err instanceof TfError && err.status === 404) {
        throw new TfError('not_found', `Previous response with id '${previousId}' not found.`, { param: 'previous_response_id' });
      }
      throw err;
    }
  }

  /**
   * `item_reference`s replaced by the items they name, from the caller's stored responses, in ONE store request
   * bounded by `maxBytes`; references to reasoning are dropped (reasoning never goes back upstream). An item id given
   * twice (inline or referenced) is a 400, as OpenAI has it — so no item can be multiplied; another account's or an
   * unknown item is a 404, as OpenAI's.
   */
  async resolve(items: ResponsesItem[], principal: KeyPrincipal, ctx: CallContext, maxBytes: number): Promise<{ items: ResponsesItem[]; bytes: number }> {
    const refs: ResponseItemRef[] = [];
    const seen = new Set<string>();
    for (const it of items) {
      const id = it.type === 'item_reference' ? String(it.id) : typeof it.id === 'string' && it.id ? it.id : null;
      if (id === null) continue;
      if (seen.has(id)) throw new TfError('invalid_request', `Duplicate item found with id ${id}. Remove the duplicate item from your input and try again.`, { param: 'input' });
      seen.add(id);
      if (it.type !== 'item_reference' || id.startsWith('rs_')) continue;
      const responseId = responseIdOfItem(id);
      if (!responseId) throw notFoundItem(id);
      refs.push({ id, responseId });
    }
    if (refs.length === 0) return { items: items.filter((it) => it.type !== 'item_reference'), bytes: 0 };
    const found = await this.store.items(refs, principal.accountId, maxBytes, ctx);
    const byId = new Map<string, ResponseItem>();
    refs.forEach((ref, i) => {
      const item = found.items[i];
      if (!item) throw notFoundItem(ref.id);
      byId.set(ref.id, item);
    });
    const out: ResponsesItem[] = [];
    for (const it of items) {
      if (it.type !== 'item_reference') out.push(it);
      else {
        const item = byId.get(String(it.id));
        if (item) out.push(item);
      }
    }
    return { items: out, bytes: found.bytes };
  }

  /**
   * Stores the finished turn; never throws — the answer goes out either way (decision 0023). `inputBytes`: the
   * request's and its referenced items' size, so a large turn is encoded off the event loop.
   */
  async save(stored: StoredResponse, inputBytes: number, ctx: CallContext): Promise<void> {
    try {
      await this.store.save(stored, inputBytes + approxJsonBytes(stored.response), ctx);
    } catch (err) {
      this.saveFailures.inc();
      this.log.error({ err, responseId: stored.id, requestId: ctx.requestId }, 'response not stored; answered anyway');
    }
  }
}

function notFoundItem(id: string): TfError {
  return new TfError('not_found', `Item with id '${id}' not found.`, { param: 'input' });
}

/**
 * A lower bound of `value`'s JSON size from its strings' lengths, in a walk of at most `APPROX_MAX_NODES` nodes;
 * a value with more nodes than that counts as infinitely large (so it is encoded off the event loop).
 */
export function approxJsonBytes(value: unknown): number {
  let bytes = 0;
  let nodes = 0;
  const stack: unknown[] = [value];
  while (stack.length) {
    const v = stack.pop();
    if (typeof v === 'string') bytes += v.length + 2;
    else if (Array.isArray(v)) {
      if ((nodes += v.length) > APPROX_MAX_NODES) return Number.POSITIVE_INFINITY;
      for (const x of v) stack.push(x);
    } else if (v && typeof v === 'object') {
      const keys = Object.keys(v);
      if ((nodes += keys.length) > APPROX_MAX_NODES) return Number.POSITIVE_INFINITY;
      for (const k of keys) {
        bytes += k.length + 3;
        stack.push((v as Record<string, unknown>)[k]);
      }
    } else bytes += 8;
  }
  return bytes;
}
