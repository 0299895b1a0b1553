import type { ChannelHealthView, ChannelView, HealthState } from '@tokenflow/contracts';
import type { ChannelEntity } from '../db/entities';
import type { HealthBook } from '../health/health-book';
import { channelKeys } from '../planning/routing-table';

/** What the admin API shows: never the upstream keys, only how many there are, and each one's health by reference. */
export function toChannelView(c: ChannelEntity, health: HealthBook): ChannelView {
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
    health: channelHealth(c, health),
  };
}

/** The channel over all its models, with the worst of its models' breakers as its status; then each model and key. */
function channelHealth(c: ChannelEntity, health: HealthBook): ChannelHealthView {
  const models = c.models.map((model) => ({ model, ...health.view({ channelId: c.id, keyRef: null, model }) }));
  const worst = models.reduce<(typeof models)[number] | null>((w, m) => (SEVERITY[m.status] > SEVERITY[w?.status ?? 'closed'] ? m : w), null);
  const all = health.view({ channelId: c.id, keyRef: null, model: null });
  return {
    ...all,
    ...(worst ? { status: worst.status, reason: `${worst.model}: ${worst.reason ?? worst.status}`, until: worst.until } : {}),
    models,
    keys: channelKeys(c).map((k) => ({ key: k.ref, ...health.view({ channelId: c.id, keyRef: k.ref, model: null }) })),
  };
}

const SEVERITY: Record<HealthState, number> = { closed: 0, cooling: 1, half_open: 2, open: 3, disabled: 4 };
