import { Inject, Injectable } from '@nestjs/common';
import { AUTO_MODEL, type PlannedAttempt, type PlanReply, type PlanRequest, TfError } from '@tokenflow/contracts';
import { ROUTER_CONFIG, type RouterConfig } from '../config';
import type { ChannelEntity } from '../db/entities';
import { type ChannelSelector, PriorityWeightedSelector } from './channel-selector';
import { KeyHealth } from './key-health';
import { type ChannelKey, channelKeys, RoutingTable } from './routing-table';
import { upstreamModelFor } from './upstream-model';

@Injectable()
export class PlannerService {
  private readonly selector: ChannelSelector = new PriorityWeightedSelector();
  private readonly keyCursor = new Map<string, number>();

  constructor(
    private readonly table: RoutingTable,
    @Inject(ROUTER_CONFIG) private readonly config: RouterConfig,
    private readonly keys: KeyHealth,
  ) {}

  plan(req: PlanRequest): PlanReply {
    if (req.model === AUTO_MODEL && req.excludeModels?.length) return this.contextFallback(req);
    const isAuto = req.model === AUTO_MODEL;
    const model = isAuto ? this.config.AUTO_DEFAULT_MODEL : req.model;
    const snapshot = this.table.current;
    const channels = snapshot.byModel.get(model) ?? [];
    if (!isAuto && !snapshot.catalog.has(model) && channels.length === 0) {
      throw new TfError('model_not_found', `The model '${model}' does not exist or you do not have access to it.`, {
        param: 'model',
      });
    }
    if (req.allowedModels && !req.allowedModels.includes(model)) {
      throw new TfError('model_not_allowed', `This API key is not allowed to use the model '${model}'.`, { param: 'model' });
    }
    if (channels.length === 0) {
      throw new TfError('no_available_channel', `No available channel for the model '${model}'. Please retry later.`);
    }
    const ordered = this.selector.order(channels);
    return {
      model,
      maxOutputTokens: snapshot.catalog.get(model)?.maxOutputTokens ?? null,
      contextWindow: snapshot.catalog.get(model)?.contextWindow ?? null,
      inputs: snapshot.catalog.get(model)?.inputs ?? null,
      route: isAuto ? 'auto-default' : 'direct',
      reason: isAuto ? `auto -> ${model} (AUTO_DEFAULT_MODEL)` : `${this.selector.name} over ${ordered.length} channel(s)`,
      attempts: this.attempts(ordered, model),
    };
  }

  /**
   * `auto` after a model refused the input as too long: the catalog model (with channels, allowed, not excluded)
   * with the smallest context window that is larger than every excluded model's and than the input.
   */
  private contextFallback(req: PlanRequest): PlanReply {
    const snapshot = this.table.current;
    const excluded = new Set(req.excludeModels);
    const floor = Math.max(req.minContextTokens ?? 0, ...[...excluded].map((m) => snapshot.catalog.get(m)?.contextWindow ?? 0));
    const candidates = [...snapshot.catalog.values()]
      .filter((m) => !excluded.has(m.id) && (m.contextWindow ?? 0) > floor && (snapshot.byModel.get(m.id)?.length ?? 0) > 0)
      .filter((m) => !req.allowedModels || req.allowedModels.includes(m.id))
      .sort((a, b) => (a.contextWindow ?? 0) - (b.contextWindow ?? 0));
    const pick = candidates[0];
    if (!pick) {
      throw new TfError('context_length_exceeded', `No available model has a context window larger than ${floor} tokens for this input.`, { param: 'messages' });
    }
    return {
      model: pick.id,
      maxOutputTokens: pick.maxOutputTokens ?? null,
      contextWindow: pick.contextWindow ?? null,
      inputs: pick.inputs ?? null,
      route: 'auto-context-fallback',
      reason: `auto -> ${pick.id} (context ${pick.contextWindow} > ${floor})`,
      attempts: this.attempts(this.selector.order(snapshot.byModel.get(pick.id)!), pick.id),
    };
  }

  /** One attempt per channel, in the selector's order, except that channels left with only benched keys go last. */
  private attempts(ordered: ChannelEntity[], model: string): PlannedAttempt[] {
    const keys = this.table.current.keys;
    const healthy: PlannedAttempt[] = [];
    const benched: PlannedAttempt[] = [];
    for (const ch of ordered) {
      const { key, ok } = this.pickKey(ch, keys.get(ch.id) ?? channelKeys(ch));
      (ok ? healthy : benched).push(this.attempt(ch, model, key));
    }
    return [...healthy, ...benched];
  }

  /** Round-robin over a channel's upstream keys spreads its load; benched keys are skipped while others remain. */
  private pickKey(ch: ChannelEntity, keys: ChannelKey[]): { key: ChannelKey; ok: boolean } {
    const n = keys.length;
    const start = (this.keyCursor.get(ch.id) ?? -1) + 1;
    for (let i = 0; i < n; i++) {
      const key = keys[(start + i) % n];
      if (this.keys.healthy(ch.id, key.ref)) {
        this.keyCursor.set(ch.id, (start + i) % n);
        return { key, ok: true };
      }
    }
    this.keyCursor.set(ch.id, start % n);
    return { key: keys[start % n], ok: false };
  }

  /** The plan names the key by reference only: the adapter resolves the secret, so it never reaches ingress. */
  private attempt(ch: ChannelEntity, model: string, key: ChannelKey): PlannedAttempt {
    const limits = ch.keyLimits;
    return {
      channelId: ch.id,
      channelName: ch.name,
      provider: ch.provider,
      baseUrl: ch.baseUrl,
      keyRef: key.ref,
      upstreamModel: upstreamModelFor(ch.provider, model, ch.modelMapping),
      timeouts: { connectMs: ch.connectTimeoutMs, firstByteMs: ch.firstByteTimeoutMs, idleMs: ch.idleTimeoutMs },
      ...(limits && (limits.rpm || limits.tpm) ? { upstreamLimits: { ref: key.quotaRef, rpm: limits.rpm ?? null, tpm: limits.tpm ?? null } } : {}),
    };
  }
}
