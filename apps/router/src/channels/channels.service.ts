import { Injectable } from '@nestjs/common';
import { type ChannelInput, type ChannelView, isProvider, needsBaseUrl, PROVIDERS, Subjects, TfError } from '@tokenflow/contracts';
import { NatsBus } from '@tokenflow/messaging';
import { QueryFailedError } from 'typeorm';
import type { ChannelEntity } from '../db/entities';
import { HealthBook } from '../health/health-book';
import { RoutingTable } from '../planning/routing-table';
import { toChannelView } from './channel-view';
import { ChannelsRepository } from './channels.repository';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Channel CRUD. Every change is broadcast so every router replica reloads its routing table at once. */
@Injectable()
export class ChannelsService {
  constructor(
    private readonly channels: ChannelsRepository,
    private readonly table: RoutingTable,
    private readonly bus: NatsBus,
    private readonly health: HealthBook,
  ) {}

  async create(input: ChannelInput): Promise<ChannelView> {
    if (await this.channels.findByName(input.name)) {
      throw new TfError('invalid_request', `A channel named '${input.name}' already exists.`, { param: 'name' });
    }
    // No base URL: the adapter uses the provider's public default (stored as '').
    const saved = await this.save(valid({ baseUrl: '', ...fromInput(input) }));
    await this.changed(saved.id);
    return toChannelView(saved, this.health);
  }

  async list(): Promise<ChannelView[]> {
    return (await this.channels.all()).map((c) => toChannelView(c, this.health));
  }

  async get(id: string): Promise<ChannelView> {
    return toChannelView(await this.mustFind(id), this.health);
  }

  async update(id: string, patch: Partial<ChannelInput>): Promise<ChannelView> {
    const current = await this.mustFind(id);
    if (patch.name && patch.name !== current.name && (await this.channels.findByName(patch.name))) {
      throw new TfError('invalid_request', `A channel named '${patch.name}' already exists.`, { param: 'name' });
    }
    const saved = await this.save(valid({ ...current, ...fromInput(patch), id: current.id }));
    await this.changed(saved.id);
    return toChannelView(saved, this.health);
  }

  async delete(id: string): Promise<{ id: string; deleted: true }> {
    await this.mustFind(id);
    await this.channels.delete(id);
    await this.changed(id);
    return { id, deleted: true };
  }

  /**
   * Two writes racing past the name check meet the unique index: that is the caller's 400, not a 500 (whose log
   * line would carry the failed query's parameters, the channel's keys among them).
   */
  private async save(channel: Partial<ChannelEntity>): Promise<ChannelEntity> {
    try {
      return await this.channels.save(channel);
    } catch (err) {
      if (err instanceof QueryFailedError && (err.driverError as { constraint?: string } | undefined)?.constraint === 'channels_name_key') {
        throw new TfError('invalid_request', `A channel named '${channel.name}' already exists.`, { param: 'name' });
      }
      throw err;
    }
  }

  private async mustFind(id: string): Promise<ChannelEntity> {
    const found = UUID.test(id) ? await this.channels.findById(id) : null;
    if (!found) throw new TfError('not_found', `No channel with id '${id}'.`, { param: 'id' });
    return found;
  }

  /** Reload here before answering (read-your-writes for the admin), then tell the other replicas. */
  private async changed(channelId: string): Promise<void> {
    await this.table.reload();
    this.bus.emit(Subjects.routerChannelsChanged, { channelId });
  }
}

/**
 * The provider list is code, not a schema CHECK (decision 0010): ingress validates the same list, and this check
 * keeps the router's table honest whoever writes to it.
 */
function valid(channel: Partial<ChannelEntity>): Partial<ChannelEntity> {
  const provider: unknown = channel.provider;
  if (!isProvider(provider)) {
    throw new TfError('invalid_request', `Unknown provider '${String(provider)}': expected one of ${PROVIDERS.join(', ')}.`, { param: 'provider' });
  }
  if (needsBaseUrl(provider) && !channel.baseUrl) {
    throw new TfError('invalid_request', `base_url is required: the ${provider} provider has no default base URL.`, { param: 'base_url' });
  }
  return channel;
}

function fromInput(i: Partial<ChannelInput>): Partial<ChannelEntity> {
  const e: Partial<ChannelEntity> = {};
  if (i.name !== undefined) e.name = i.name;
  if (i.provider !== undefined) e.provider = i.provider;
  if (i.base_url !== undefined) e.baseUrl = i.base_url.replace(/\/+$/, '');
  if (i.api_keys !== undefined) e.apiKeys = i.api_keys;
  if (i.models !== undefined) e.models = [...new Set(i.models)];
  if (i.model_mapping !== undefined) e.modelMapping = i.model_mapping;
  if (i.priority !== undefined) e.priority = i.priority;
  if (i.weight !== undefined) e.weight = i.weight;
  if (i.enabled !== undefined) e.enabled = i.enabled;
  if (i.connect_timeout_ms !== undefined) e.connectTimeoutMs = i.connect_timeout_ms;
  if (i.first_byte_timeout_ms !== undefined) e.firstByteTimeoutMs = i.first_byte_timeout_ms;
  if (i.idle_timeout_ms !== undefined) e.idleTimeoutMs = i.idle_timeout_ms;
  if (i.key_limits !== undefined) e.keyLimits = i.key_limits && (i.key_limits.rpm || i.key_limits.tpm) ? i.key_limits : null;
  return e;
}
