import { Inject, Injectable } from '@nestjs/common';
import { AUTO_MODEL, type AutoSignal, type Endpoint, type PlanReply, type PlanRequest, TfError } from '@tokenflow/contracts';
import { type AutoCandidate, type AutoPolicy, decideAuto, explain } from '../auto/auto-decision';
import type { OutputStatsCache } from '../auto/output-stats-cache';
import type { PriceCache } from '../auto/price-cache';
import { ROUTER_CONFIG, type RouterConfig } from '../config';
import type { ModelEntity, ModelType } from '../db/entities';
import { HealthBook } from '../health/health-book';
import { type Selection, selectAttempts } from './attempt-selection';
import { type TimedSelection, withinLatencyTarget } from './latency-target';
import { type ChannelSelector, HealthWeightedSelector } from './channel-selector';
import { RoutingTable } from './routing-table';

type AutoConfig = Pick<RouterConfig, 'AUTO_DEFAULT_MODEL' | 'PLAN_KEYS_PER_CHANNEL' | 'AUTO_ECONOMY_OFFSET' | 'AUTO_QUALITY_OFFSET'>;

/** Without billing's observations `auto` expects the category priors. */
const NOTHING_OBSERVED: Pick<OutputStatsCache, 'expected'> = { expected: () => null };

/** The longest fallback chain a plan follows (the asked model not counted). */
export const MAX_FALLBACKS = 8;

/**
 * Turns a request's model into an ordered plan: the model (or, when none of its channels is available, the first
 * of its fallback chain that has one), its attempts — keys and channels by health — and the rest of the chain.
 */
@Injectable()
export class PlannerService {
  private readonly selector: ChannelSelector;

  constructor(
    private readonly table: RoutingTable,
    @Inject(ROUTER_CONFIG) private readonly config: AutoConfig,
    private readonly health: HealthBook,
    private readonly prices: Pick<PriceCache, 'get'>,
    private readonly outputs: Pick<OutputStatsCache, 'expected'> = NOTHING_OBSERVED,
    private readonly random: () => number = Math.random,
  ) {
    this.selector = new HealthWeightedSelector(random);
  }

  plan(req: PlanRequest): PlanReply {
    // `auto` chooses among chat models only: there is nothing for it to choose for embeddings.
    if (req.model === AUTO_MODEL && req.endpoint === 'embeddings') {
      throw new TfError('model_not_supported', `The model '${AUTO_MODEL}' chooses among chat models and does not support embeddings.`, { param: 'model' });
    }
    if (req.model === AUTO_MODEL && req.excludeModels?.length) return this.contextFallback(req);
    if (req.model === AUTO_MODEL && req.auto) {
      const decided = this.autoPlan(req, req.auto);
      if (decided) return decided;
    }
    const isAuto = req.model === AUTO_MODEL;
    const asked = isAuto ? this.config.AUTO_DEFAULT_MODEL : req.model;
    const snapshot = this.table.current;
    if (!isAuto && !snapshot.catalog.has(asked) && !snapshot.byModel.has(asked)) {
      throw new TfError('model_not_found', `The model '${asked}' does not exist or you do not have access to it.`, { param: 'model' });
    }
    if (req.allowedModels && !req.allowedModels.includes(asked)) {
      throw new TfError('model_not_allowed', `This API key is not allowed to use the model '${asked}'.`, { param: 'model' });
    }
    const type = this.typeOf(asked);
    if (!isAuto && req.endpoint && type && !serves(type, req.endpoint)) throw notSupported(asked, type, req.endpoint);
    const chain = [asked, ...this.chainOf(asked, req)];
    const selections = chain.map((m) => this.select(m, req));
    // A model that can serve now beats one whose channels only wait for a probe; the chain's order decides among equals.
    let at = selections.findIndex((s) => s.attempts.length > 0);
    if (at < 0) at = selections.findIndex((s) => s.lastResort.length > 0);
    if (at < 0) {
      const also = chain.length > 1 ? ` or its fallbacks (${chain.slice(1).join(', ')})` : '';
      throw new TfError('no_available_channel', `No available channel for the model '${asked}'${also}. Please retry later.`);
    }
    const model = chain[at];
    const { attempts, lastResort } = selections[at];
    const route = at > 0 ? 'fallback' : isAuto ? 'auto-default' : 'direct';
    return {
      ...this.limitsOf(model),
      model,
      route,
      reason: this.reason(route, asked, model, attempts.length + lastResort.length),
      attempts: [...attempts, ...lastResort],
      fallbacks: chain.slice(at + 1).filter((_, i) => selections[at + 1 + i].attempts.length + selections[at + 1 + i].lastResort.length > 0),
    };
  }

  /**
   * `auto` with the classifier's signal: among the catalog models the key may use that have an available channel,
   * `decideAuto` ranks by expected quality per dollar for the request's mode; the first that can serve is the plan,
   * the ranked rest its fallback chain. Each model's expected answer length is what the ledger saw it write in the
   * category (once enough was seen); with a latency target, only its channels that meet it are planned. Null when
   * nothing is priced and available (then the default model serves).
   */
  private autoPlan(req: PlanRequest, signal: AutoSignal): PlanReply | null {
    const { catalog } = this.table.current;
    const candidates: AutoCandidate[] = [];
    const selections = new Map<string, Selection>();
    for (const m of catalog.values()) {
      // `auto` answers chats: an embedding model is never a candidate.
      if ((m.type ?? 'chat') !== 'chat') continue;
      if (req.allowedModels && !req.allowedModels.includes(m.id)) continue;
      const timed = this.timed(m.id, req);
      if (timed.selection.attempts.length === 0) continue;
      selections.set(m.id, timed.selection);
      const price = this.prices.get(m.id);
      candidates.push({
        id: m.id,
        tier: m.tier,
        strengths: m.strengths ?? {},
        outputFactor: m.outputFactor ?? 1,
        observedOutputTokens: this.outputs.expected(m.id, signal.category),
        inputNano: price?.inputNano ?? null,
        outputNano: price?.outputNano ?? null,
        p95TtftMs: timed.p95TtftMs,
      });
    }
    const decision = decideAuto(signal, candidates, this.policy());
    const model = decision.ranked[0];
    if (!model) return null;
    const fallbacks = decision.ranked.slice(1, 1 + MAX_FALLBACKS);
    const { attempts, lastResort } = selections.get(model)!;
    return {
      ...this.limitsOf(model),
      model,
      route: 'auto',
      reason: `auto -> ${model} (${decision.reason}); ${this.selector.name} over ${attempts.length + lastResort.length} attempt(s)`,
      explain: explain(decision, fallbacks),
      attempts: [...attempts, ...lastResort],
      fallbacks,
    };
  }

  private policy(): AutoPolicy {
    const priors: AutoPolicy['priors'] = {};
    for (const p of this.table.current.priors.values()) {
      priors[p.category] = { gain: p.gain, classifierWeight: p.classifierWeight, gainPerDoubling: p.gainPerDoubling, outputTokens: p.outputTokens };
    }
    return {
      priors,
      modeOffsets: { economy: this.config.AUTO_ECONOMY_OFFSET, balanced: 0, quality: -this.config.AUTO_QUALITY_OFFSET },
    };
  }

  /**
   * The request's chain, else the catalog's for the model; only models that exist, the key may use and that serve
   * the request's endpoint (no embedding model in a chat's chain), each once, never `auto` nor the model itself.
   */
  private chainOf(model: string, req: PlanRequest): string[] {
    const { catalog, byModel } = this.table.current;
    const declared = req.fallbacks ?? catalog.get(model)?.fallbacks ?? [];
    const chain: string[] = [];
    for (const m of declared) {
      if (m === model || m === AUTO_MODEL || chain.includes(m)) continue;
      if (!catalog.has(m) && !byModel.has(m)) continue;
      if (req.allowedModels && !req.allowedModels.includes(m)) continue;
      const type = this.typeOf(m);
      if (req.endpoint && type && !serves(type, req.endpoint)) continue;
      chain.push(m);
      if (chain.length === MAX_FALLBACKS) break;
    }
    return chain;
  }

  /**
   * `auto` after a model refused the input as too long: the catalog model (with channels, allowed, not excluded)
   * with the smallest context window that is larger than every excluded model's and than the input.
   */
  private contextFallback(req: PlanRequest): PlanReply {
    const { catalog } = this.table.current;
    const excluded = new Set(req.excludeModels);
    const floor = Math.max(req.minContextTokens ?? 0, ...[...excluded].map((m) => catalog.get(m)?.contextWindow ?? 0));
    const candidates = [...catalog.values()]
      .filter((m) => (m.type ?? 'chat') === 'chat' && !excluded.has(m.id) && (m.contextWindow ?? 0) > floor)
      .filter((m) => !req.allowedModels || req.allowedModels.includes(m.id))
      .sort((a, b) => (a.contextWindow ?? 0) - (b.contextWindow ?? 0));
    for (const m of candidates) {
      const { attempts, lastResort } = this.select(m.id, req);
      if (attempts.length + lastResort.length === 0) continue;
      return {
        ...this.limitsOf(m.id),
        model: m.id,
        route: 'auto-context-fallback',
        reason: `auto -> ${m.id} (context ${m.contextWindow} > ${floor})`,
        attempts: [...attempts, ...lastResort],
        fallbacks: [],
      };
    }
    throw new TfError('context_length_exceeded', `No available model has a context window larger than ${floor} tokens for this input.`, { param: 'messages' });
  }

  private select(model: string, req: PlanRequest): Selection {
    return this.timed(model, req).selection;
  }

  /** The model's attempts by health; with a latency target, only its channels that meet it (when any does). */
  private timed(model: string, req: PlanRequest): TimedSelection {
    const sel = selectAttempts(this.table.current, this.health, model, this.selector, {
      keysPerChannel: this.config.PLAN_KEYS_PER_CHANNEL,
      now: Date.now(),
      random: this.random,
      avoid: req.avoidKeys?.length ? new Set(req.avoidKeys) : undefined,
    });
    return withinLatencyTarget(sel, (channelId) => this.health.channel(channelId, model).p95TtftMs, req.latencyTargetMs ?? req.auto?.prefs.latencyTargetMs);
  }

  /** The catalog's type of the model; null for a model only channels know (not checked: the upstream decides). */
  private typeOf(model: string): ModelType | null {
    const entry = this.table.current.catalog.get(model);
    return entry ? (entry.type ?? 'chat') : null;
  }

  private limitsOf(model: string): Pick<PlanReply, 'maxOutputTokens' | 'contextWindow' | 'inputs'> {
    const entry: ModelEntity | undefined = this.table.current.catalog.get(model);
    return { maxOutputTokens: entry?.maxOutputTokens ?? null, contextWindow: entry?.contextWindow ?? null, inputs: entry?.inputs ?? null };
  }

  private reason(route: PlanReply['route'], asked: string, model: string, n: number): string {
    const over = `${this.selector.name} over ${n} attempt(s)`;
    if (route === 'fallback') return `${asked} has no available channel -> ${model}; ${over}`;
    if (route === 'auto-default') return `auto -> ${model} (AUTO_DEFAULT_MODEL); ${over}`;
    return over;
  }
}

/** Chat completions, responses, Anthropic messages and legacy completions need a chat model; embeddings an embedding one. */
function serves(type: ModelType, endpoint: Endpoint): boolean {
  return type === (endpoint === 'embeddings' ? 'embedding' : 'chat');
}

const ENDPOINT_NAMES: Readonly<Record<Endpoint, string>> = {
  chat: 'chat completions, responses or messages',
  completions: 'completions',
  embeddings: 'embeddings',
};

/** A 400 naming the model, before anything is held or sent upstream. */
function notSupported(model: string, type: ModelType, endpoint: Endpoint): TfError {
  return new TfError('model_not_supported', `The model '${model}' is ${type === 'embedding' ? 'an embedding' : 'a chat'} model and does not support ${ENDPOINT_NAMES[endpoint]}.`, { param: 'model' });
}
