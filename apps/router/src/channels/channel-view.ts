import type { ChannelView } from '@tokenflow/contracts';
import type { ChannelEntity } from '../db/entities';

/** What the admin API shows: never the upstream keys, only how many there are. */
export function toChannelView(c: ChannelEntity): ChannelView {
  return {
    id: c.id,
    name: c.name,
    provider: c.provider,
    base_url: c.baseUrl || null,
    api_key_count: c.apiKeys.length,
    models: c.models,
    model_mapping: c.modelMapping,
    priority: c.priority,
    weight: c.weight,
    enabled: c.enabled,
    connect_timeout_ms: c.connectTimeoutMs,
    first_byte_timeout_ms: c.firstByteTimeoutMs,
    idle_timeout_ms: c.idleTimeoutMs,
    key_limits: c.keyLimits,
    created_at: c.createdAt.toISOString(),
    updated_at: c.updatedAt.toISOString(),
  };
}
