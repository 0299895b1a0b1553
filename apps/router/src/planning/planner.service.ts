import { createHash } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { type Attempt, AUTO_MODEL, type PlanReply, type PlanRequest, TfError } from '@tokenflow/contracts';
import { ROUTER_CONFIG, type RouterConfig } from '../config';
import type { ChannelEntity } from '../db/entities';
import { type ChannelSelector, PriorityWeightedSelector } from './channel-selector';
import { RoutingTable } from './routing-table';

@Injectable()
export class PlannerService {
  private readonly selector: ChannelSelector = new PriorityWeightedSelector();
  private readonly keyCursor = new Map<string, number>();

  constructor(
    private readonly table: RoutingTable,
    @Inject(ROUTER_CONFIG) private readonly config: RouterConfig,
  ) {}

  plan(req: PlanRequest): PlanReply {
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
      route: isAuto ? 'auto-default' : 'direct',
      reason: isAuto ? `auto -> ${model} (AUTO_DEFAULT_MODEL)` : `${this.selector.name} over ${ordered.length} channel(s)`,
      attempts: ordered.map((ch) => this.attempt(ch, model)),
    };
  }

  /** Round-robin over a channel's upstream keys spreads one channel's load across its keys. */
  private attempt(ch: ChannelEntity, model: string): Attempt {
    const cursor = (this.keyCursor.get(ch.id) ?? -1) + 1;
    this.keyCursor.set(ch.id, cursor % ch.apiKeys.length);
    const apiKey = ch.apiKeys[cursor % ch.apiKeys.length];
    const limits = ch.keyLimits;
    return {
      channelId: ch.id,
      channelName: ch.name,
      provider: ch.provider,
      baseUrl: ch.baseUrl,
      apiKey,
      upstreamModel: ch.modelMapping[model] ?? model,
      timeouts: { connectMs: ch.connectTimeoutMs, firstByteMs: ch.firstByteTimeoutMs, idleMs: ch.idleTimeoutMs },
      ...(limits && (limits.rpm || limits.tpm) ? { upstreamLimits: { ref: upstreamKeyRef(ch, apiKey), rpm: limits.rpm ?? null, tpm: limits.tpm ?? null } } : {}),
    };
  }
}

/**
 * Names an upstream key in limiter keys and logs without revealing it. The provider's quota belongs to the key,
 * not to our channel: two channels with the same key (say, different model mappings) share one count.
 */
export function upstreamKeyRef(ch: Pick<ChannelEntity, 'provider' | 'baseUrl'>, apiKey: string): string {
  return createHash('sha256').update(`${ch.provider}\n${ch.baseUrl ?? ''}\n${apiKey}`).digest('hex').slice(0, 24);
}
