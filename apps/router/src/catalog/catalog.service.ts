import { Injectable } from '@nestjs/common';
import { AUTO_MODEL, type ModelCard, type ModelsListReply, TfError } from '@tokenflow/contracts';
import { PriceCache } from '../auto/price-cache';
import type { ModelEntity } from '../db/entities';
import { RoutingTable } from '../planning/routing-table';

/** `auto` is listed as created at the epoch of this release, owned by TokenFlow. */
const AUTO_CREATED = 1764000000;
const AUTO_DESCRIPTION =
  'TokenFlow router: classifies each request (task category, expected gain of a premium model) and sends it to the model with the best expected quality per dollar among those your key may use, with the rest as fallbacks. Steer it with the body field `route` ({"mode": "economy"|"balanced"|"quality", "max_price_per_1m_output", "latency_target_ms", "models"}); `x-tokenflow-route` explains each decision.';

@Injectable()
export class CatalogService {
  constructor(
    private readonly table: RoutingTable,
    private readonly prices: PriceCache,
  ) {}

  /** Models with at least one enabled channel (catalog or not), plus `auto`, filtered by the key's allow-list. */
  list(allowed: string[] | null): ModelsListReply {
    const { catalog, byModel } = this.table.current;
    const cards: ModelCard[] = [];
    for (const [id, channels] of byModel) {
      if (allowed && !allowed.includes(id)) continue;
      const entry = catalog.get(id);
      cards.push({
        id,
        object: 'model',
        created: Math.floor((entry?.createdAt.getTime() ?? channels[0].createdAt.getTime()) / 1000),
        owned_by: entry?.ownedBy ?? channels[0].provider,
        ...this.extras(id, entry),
      });
    }
    cards.sort((a, b) => a.id.localeCompare(b.id));
    cards.push({ id: AUTO_MODEL, object: 'model', created: AUTO_CREATED, owned_by: 'tokenflow', description: AUTO_DESCRIPTION });
    return { object: 'list', data: cards };
  }

  get(id: string, allowed: string[] | null): ModelCard {
    const card = this.list(allowed).data.find((m) => m.id === id);
    if (!card) {
      throw new TfError('model_not_found', `The model '${id}' does not exist or you do not have access to it.`, {
        param: 'model',
      });
    }
    return card;
  }

  /** What OpenAI's object lacks and a caller choosing a model wants (OpenAI clients ignore extra fields). */
  private extras(id: string, entry: ModelEntity | undefined): Partial<ModelCard> {
    const price = this.prices.get(id);
    const extras: Partial<ModelCard> = {};
    // nano-USD per token × 1e6 tokens ÷ 1e9 = USD per 1M tokens.
    if (price) extras.pricing = { input_usd_per_mtok: usd(price.inputNano / 1_000), output_usd_per_mtok: usd(price.outputNano / 1_000) };
    if (entry) {
      extras.context_window = entry.contextWindow;
      extras.max_output_tokens = entry.maxOutputTokens;
      extras.input_modalities = ['text', ...(entry.inputs ?? [])];
      const type = entry.type ?? 'chat';
      extras.type = type;
      extras.output_modalities = [type === 'embedding' ? 'embedding' : 'text'];
      // An embedding model has no output limit, and `auto`'s tier says nothing about it.
      if (type === 'chat') extras.tier = entry.tier;
    }
    return extras;
  }
}

/** As billing writes prices: at least two decimals, no trailing zeros past them ("2.50", "0.14", "0.0375"). */
function usd(x: number): string {
  const [whole, frac = ''] = x.toFixed(9).split('.');
  return `${whole}.${frac.replace(/0+$/, '').padEnd(2, '0')}`;
}
