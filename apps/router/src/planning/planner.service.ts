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

  /**
   * A key pool per channel: up to `PLAN_KEYS_PER_CHANNEL` of its healthy keys, from its round-robin cursor, then the
   * next channel — so a key that fails moves the request to the channel's next key before the next channel, and no
   * key is tried twice. Channels left with only benched keys get one attempt each, last.
   */
  private attempts(ordered: ChannelEntity[], model: string): PlannedAttempt[] {
    const keys = this.table.current.keys;
    const healthy: PlannedAttempt[] = [];
    const benched: PlannedAttempt[] = [];
    for (const ch of ordered) {
      const pool = this.keyPool(ch, keys.get(ch.id) ?? channelKeys(ch));
      if (pool.healthy.length) for (const key of pool.healthy) healthy.push(this.attempt(ch, model, key));
      else benched.push(this.attempt(ch, model, pool.fallback));
    }
    return [...healthy, ...benched];
  }

  /** The channel's healthy keys in rotation order (the cursor moves one key per plan, spreading load), else its next key. */
  private keyPool(ch: ChannelEntity, keys: ChannelKey[]): { healthy: ChannelKey[]; fallback: ChannelKey } {
    const n = keys.length;
    const start = ((this.keyCursor.get(ch.id) ?? -1) + 1) % n;
    const healthy: ChannelKey[] = [];
    for (let i = 0; i < n && healthy.length < this.config.PLAN_KEYS_PER_CHANNEL; i++) {
      const key = keys[(start + i) % n];
      if (this.keys.healthy(ch.id, key.ref)) healthy.push(key);
    }
    // The first key tried this time leads the rotation, so the next plan starts after it.
    const lead = healthy.length ? keys.indexOf(healthy[0]) : start;
    this.keyCursor.set(ch.id, lead);
    return { healthy, fallback: keys[start] };
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
