import { Injectable } from '@nestjs/common';
import { AUTO_MODEL, type ModelCard, type ModelsListReply, TfError } from '@tokenflow/contracts';
import { RoutingTable } from '../planning/routing-table';

/** `auto` is listed as created at the epoch of this release, owned by TokenFlow. */
const AUTO_CREATED = 1764000000;

@Injectable()
export class CatalogService {
  constructor(private readonly table: RoutingTable) {}

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
      });
    }
    cards.sort((a, b) => a.id.localeCompare(b.id));
    cards.push({ id: AUTO_MODEL, object: 'model', created: AUTO_CREATED, owned_by: 'tokenflow' });
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
}
