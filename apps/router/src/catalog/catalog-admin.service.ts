import { Injectable } from '@nestjs/common';
import { AUTO_MODEL, type CatalogListReply, type CatalogModelPatch, type CatalogModelView, Subjects, TfError } from '@tokenflow/contracts';
import { NatsBus } from '@tokenflow/messaging';
import { ChannelsRepository } from '../channels/channels.repository';
import type { ModelEntity } from '../db/entities';
import { MAX_FALLBACKS } from '../planning/planner.service';
import { RoutingTable } from '../planning/routing-table';

/** The catalog as operators edit it: today, each model's fallback chain. */
@Injectable()
export class CatalogAdminService {
  constructor(
    private readonly repo: ChannelsRepository,
    private readonly table: RoutingTable,
    private readonly bus: NatsBus,
  ) {}

  list(): CatalogListReply {
    return { object: 'list', data: [...this.table.current.catalog.values()].map((m) => this.view(m)) };
  }

  async update(id: string, patch: CatalogModelPatch): Promise<CatalogModelView> {
    const model = this.table.current.catalog.get(id);
    if (!model) throw new TfError('not_found', `No catalog model with id '${id}'.`, { param: 'id' });
    if (patch.fallbacks !== undefined) {
      this.assertChain(id, patch.fallbacks);
      await this.repo.saveModel({ id, fallbacks: patch.fallbacks });
    }
    // Reload here first (read-your-writes for the admin), then tell the other replicas.
    await this.table.reload();
    this.bus.emit(Subjects.routerChannelsChanged, {});
    return this.view(this.table.current.catalog.get(id) ?? model);
  }

  /** A chain names catalog models, each once, never the model itself nor `auto`. */
  private assertChain(id: string, chain: string[]): void {
    const bad = (message: string) => new TfError('invalid_request', message, { param: 'fallbacks' });
    if (chain.length > MAX_FALLBACKS) throw bad(`A fallback chain has at most ${MAX_FALLBACKS} models.`);
    if (new Set(chain).size !== chain.length) throw bad('A fallback chain names each model once.');
    for (const m of chain) {
      if (m === id) throw bad(`'${id}' cannot fall back to itself.`);
      if (m === AUTO_MODEL) throw bad("'auto' cannot be a fallback: a chain names real models.");
      if (!this.table.current.catalog.has(m)) throw bad(`Unknown model '${m}' in fallbacks.`);
    }
  }

  private view(m: ModelEntity): CatalogModelView {
    return {
      id: m.id,
      owned_by: m.ownedBy,
      context_window: m.contextWindow,
      max_output_tokens: m.maxOutputTokens,
      inputs: m.inputs,
      fallbacks: m.fallbacks ?? [],
      channel_count: this.table.current.byModel.get(m.id)?.length ?? 0,
    };
  }
}
