import { Injectable } from '@nestjs/common';
import { AUTO_MODEL, type CatalogListReply, type CatalogModelPatch, type CatalogModelView, type CategoryPriorUpdateRequest, type CategoryPriorView, Subjects, TfError } from '@tokenflow/contracts';
import { NatsBus } from '@tokenflow/messaging';
import { OutputStatsCache } from '../auto/output-stats-cache';
import { ChannelsRepository } from '../channels/channels.repository';
import type { CategoryPriorEntity, ModelEntity } from '../db/entities';
import { MAX_FALLBACKS } from '../planning/planner.service';
import { RoutingTable } from '../planning/routing-table';

function priorView(p: CategoryPriorEntity, observed: CategoryPriorView['observed_output_tokens']): CategoryPriorView {
  return { category: p.category, gain: p.gain, classifier_weight: p.classifierWeight, gain_per_doubling: p.gainPerDoubling, output_tokens: p.outputTokens, observed_output_tokens: observed };
}

/** The catalog as operators edit it: each model's fallback chain and what `auto` knows of it; the category priors. */
@Injectable()
export class CatalogAdminService {
  constructor(
    private readonly repo: ChannelsRepository,
    private readonly table: RoutingTable,
    private readonly bus: NatsBus,
    private readonly outputs: OutputStatsCache,
  ) {}

  list(): CatalogListReply {
    return { object: 'list', data: [...this.table.current.catalog.values()].map((m) => this.view(m)) };
  }

  async update(id: string, patch: CatalogModelPatch): Promise<CatalogModelView> {
    const model = this.table.current.catalog.get(id);
    if (!model) throw new TfError('not_found', `No catalog model with id '${id}'.`, { param: 'id' });
    if (patch.fallbacks !== undefined) this.assertChain(id, patch.fallbacks);
    const changes: Partial<ModelEntity> = {};
    if (patch.fallbacks !== undefined) changes.fallbacks = patch.fallbacks;
    if (patch.tier !== undefined) changes.tier = patch.tier;
    if (patch.strengths !== undefined) changes.strengths = { ...(model.strengths ?? {}), ...patch.strengths };
    if (patch.output_factor !== undefined) changes.outputFactor = patch.output_factor;
    if (Object.keys(changes).length) await this.repo.saveModel({ id, ...changes });
    // Reload here first (read-your-writes for the admin), then tell the other replicas.
    await this.table.reload();
    this.bus.emit(Subjects.routerChannelsChanged, {});
    return this.view(this.table.current.catalog.get(id) ?? model);
  }

  listPriors(): { object: 'list'; data: CategoryPriorView[] } {
    return { object: 'list', data: [...this.table.current.priors.values()].map((p) => priorView(p, this.outputs.inCategory(p.category))) };
  }

  async updatePrior(category: string, patch: CategoryPriorUpdateRequest['patch']): Promise<CategoryPriorView> {
    if (!this.table.current.priors.has(category)) throw new TfError('not_found', `No task category '${category}'.`, { param: 'category' });
    await this.repo.savePrior({
      category,
      ...(patch.gain !== undefined ? { gain: patch.gain } : {}),
      ...(patch.classifier_weight !== undefined ? { classifierWeight: patch.classifier_weight } : {}),
      ...(patch.gain_per_doubling !== undefined ? { gainPerDoubling: patch.gain_per_doubling } : {}),
      ...(patch.output_tokens !== undefined ? { outputTokens: patch.output_tokens } : {}),
    });
    await this.table.reload();
    this.bus.emit(Subjects.routerChannelsChanged, {});
    return priorView(this.table.current.priors.get(category)!, this.outputs.inCategory(category));
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
      tier: m.tier,
      strengths: m.strengths ?? {},
      output_factor: m.outputFactor,
      channel_count: this.table.current.byModel.get(m.id)?.length ?? 0,
    };
  }
}
