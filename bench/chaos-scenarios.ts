import { ensureDatabase } from '@tokenflow/config';
import type { Provider } from '@tokenflow/contracts';
import { testUrls } from '@tokenflow/testing';
import { MOCK_PATHS, migrateAll } from '@tokenflow/tools';

/**
 * The chaos bench rewrites channels, so it keeps them in a database of its own: a run killed mid-scenario must not
 * leave `tokenflow_bench` (where `npm run bench` routes deepseek-v3) pointing at a dead port.
 */
export async function chaosDatabase(): Promise<string> {
  const db = new URL(testUrls.database);
  db.pathname = '/tokenflow_bench_chaos';
  await ensureDatabase(db.toString());
  await migrateAll(db.toString());
  return db.toString();
}

/** One seeded mock channel the scenarios break: the model it serves and how its failures look. */
export interface ChaosChannel {
  provider: Provider;
  model: string;
  upstream: string;
  /** `fail=` kind when this channel fails at random: a different one per provider, all retryable upstream. */
  failKind: string;
}

export const CHAOS_CHANNELS: readonly ChaosChannel[] = [
  { provider: 'deepseek', model: 'deepseek-v3', upstream: 'deepseek-chat', failKind: '500' },
  { provider: 'qwen', model: 'qwen-max', upstream: 'qwen-max', failKind: 'overloaded' },
  { provider: 'zhipu', model: 'glm-4-plus', upstream: 'glm-4-plus', failKind: '429' },
];

/** Where a channel points during a scenario: its base URL and the upstream model string (directives included). */
export interface ChannelSetup {
  baseUrl: string;
  upstream: string;
}

export interface Scenario {
  name: string;
  setup(channel: ChaosChannel): ChannelSetup;
}

/** `mock`: the mock provider's URL; `closedPort`: a port nothing listens on. */
export function chaosScenarios(mock: string, closedPort: number, failRate: number): Scenario[] {
  const healthy = (c: ChaosChannel): ChannelSetup => ({ baseUrl: `${mock}${MOCK_PATHS[c.provider]}`, upstream: c.upstream });
  return [
    { name: 'baseline', setup: healthy },
    {
      name: `${failRate}% upstream failures`,
      setup: (c) => ({ ...healthy(c), upstream: `${c.upstream}+fail-rate=${failRate}+fail=${c.failKind}` }),
    },
    {
      name: 'deepseek down (refused)',
      setup: (c) => (c.model === 'deepseek-v3' ? { baseUrl: `http://127.0.0.1:${closedPort}${MOCK_PATHS[c.provider]}`, upstream: c.upstream } : healthy(c)),
    },
    {
      name: 'deepseek down (500)',
      setup: (c) => (c.model === 'deepseek-v3' ? { ...healthy(c), upstream: `${c.upstream}+fail=500` } : healthy(c)),
    },
    // Whether the gateway goes back to deepseek once it is healthy (breakers, cool-downs), and the baseline's noise.
    { name: 'healthy again', setup: healthy },
  ];
}

export type AdminCall = (method: string, path: string, body?: unknown) => Promise<unknown>;

export function adminClient(gateway: string, adminKey: string): AdminCall {
  return async (method, path, body) => {
    const res = await fetch(`${gateway}${path}`, {
      method,
      headers: { authorization: `Bearer ${adminKey}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    if (!res.ok) throw new Error(`${method} ${path} → ${res.status}: ${text.slice(0, 300)}`);
    return text ? (JSON.parse(text) as unknown) : null;
  };
}

interface ChannelRow {
  id: string;
  name: string;
  model_mapping: Record<string, string> | null;
}

/** Points the seeded `mock-<provider>` channels where the scenario says (their other models keep their mapping). */
export async function applyScenario(admin: AdminCall, scenario: Scenario): Promise<void> {
  const { data } = (await admin('GET', '/admin/v1/channels')) as { data: ChannelRow[] };
  for (const channel of CHAOS_CHANNELS) {
    const row = data.find((c) => c.name === `mock-${channel.provider}`);
    if (!row) throw new Error(`channel mock-${channel.provider} missing: the seed should have created it`);
    const { baseUrl, upstream } = scenario.setup(channel);
    await admin('PATCH', `/admin/v1/channels/${row.id}`, {
      base_url: baseUrl,
      model_mapping: { ...row.model_mapping, [channel.model]: upstream },
      enabled: true,
    });
  }
}
