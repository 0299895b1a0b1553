import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { mockBasePath, type Provider, PROVIDER_DESCRIPTORS, PROVIDERS } from '@tokenflow/contracts';

/** A launch model: our id, who serves it, and what a real channel for it looks like. */
interface SeedModel {
  id: string;
  provider: Provider;
  /** The upstream's own name for it (used for the real channel and, for realism, the mock). */
  upstream: string;
  /** The seed version that introduced it (absent: 1, the launch models). */
  since?: number;
}

/**
 * The seed's version, kept in the state file once a run has applied it. A channel seeded earlier gets only the models
 * introduced since the version it was seeded with: a model an operator removed from a channel stays removed.
 * 2: the embedding models (issue 15).
 */
export const SEED_VERSION = 2;

export const SEED_MODELS: SeedModel[] = [
  { id: 'deepseek-v3', provider: 'deepseek', upstream: 'deepseek-chat' },
  { id: 'deepseek-r1', provider: 'deepseek', upstream: 'deepseek-reasoner' },
  { id: 'kimi-k2', provider: 'moonshot', upstream: 'kimi-k2-0905-preview' },
  { id: 'glm-4-plus', provider: 'zhipu', upstream: 'glm-4-plus' },
  { id: 'qwen-max', provider: 'qwen', upstream: 'qwen-max' },
  { id: 'gpt-4o', provider: 'openai', upstream: 'gpt-4o' },
  { id: 'claude-sonnet', provider: 'anthropic', upstream: 'claude-sonnet-4-5' },
  // Embedding models (catalog rows and prices: router and billing migrations 1765700000000).
  { id: 'text-embedding-3-small', provider: 'openai', upstream: 'text-embedding-3-small', since: 2 },
  { id: 'text-embedding-3-large', provider: 'openai', upstream: 'text-embedding-3-large', since: 2 },
  { id: 'text-embedding-v3', provider: 'qwen', upstream: 'text-embedding-v3', since: 2 },
  { id: 'embedding-3', provider: 'zhipu', upstream: 'embedding-3', since: 2 },
];

/** Where the mock provider speaks each provider's own wire format (the adapter runs its real translation). */
export const MOCK_PATHS = Object.fromEntries(PROVIDERS.map((p) => [p, mockBasePath(p)])) as Readonly<Record<Provider, string>>;

/** The env variables the seed reads real upstream keys from: each provider's `keyEnv` (its `provider.json`). */
export const REAL_KEY_ENVS: readonly string[] = PROVIDERS.flatMap((p) => PROVIDER_DESCRIPTORS[p].keyEnv ?? []);

export interface SeedOptions {
  ingressUrl: string;
  adminKey: string;
  mockUrl: string;
  /** Where the demo account id and key are kept between runs (the key cannot be read back). */
  stateFile: string;
  env: NodeJS.ProcessEnv;
  demoCreditUsd?: string;
}

export interface SeedResult {
  accountId: string;
  key: string;
  channels: { name: string; created: boolean; real: boolean }[];
}

interface DemoState {
  accountId: string;
  key: string;
  /** The last seed version applied (absent: a state file from before versions, i.e. 1). */
  seedVersion?: number;
}

/**
 * Idempotent seeding through the admin API: a demo account and key (remembered in a local state file), and one
 * channel per launch model's provider — real when that provider's key (its `keyEnv`) is in the environment, the mock
 * provider otherwise.
 */
export async function seed(o: SeedOptions): Promise<SeedResult> {
  const admin = adminClient(o.ingressUrl, o.adminKey);
  const demo = await ensureDemo(admin, o);
  // An existing channel gets only what was introduced after the seed version it was seeded with. Without a record
  // (no state file, or one from before versions) that is taken to be the launch seed, 1.
  const applied = demo.seedVersion ?? 1;
  const existing = new Map(
    ((await admin('GET', '/admin/v1/channels')) as { data: SeededChannel[] }).data.map((c) => [
      c.name,
      c,
    ]),
  );
  const channels: SeedResult['channels'] = [];
  for (const provider of new Set(SEED_MODELS.map((m) => m.provider))) {
    const models = SEED_MODELS.filter((m) => m.provider === provider);
    const mapping = Object.fromEntries(models.map((m) => [m.id, m.upstream]));
    const introduced = Object.fromEntries(models.filter((m) => (m.since ?? 1) > applied).map((m) => [m.id, m.upstream]));
    const { keyEnv, defaultBaseUrl } = PROVIDER_DESCRIPTORS[provider];
    const realKey = keyEnv ? o.env[keyEnv] : undefined;
    const mockName = `mock-${provider}`;
    if (realKey) {
      const name = `${provider}-env`;
      const current = existing.get(name);
      if (current) await addMissingModels(admin, current, introduced);
      if (!current) {
        await admin('POST', '/admin/v1/channels', {
          name,
          provider,
          base_url: defaultBaseUrl,
          api_keys: [realKey],
          models: models.map((m) => m.id),
          model_mapping: mapping,
          priority: 10,
        });
      }
      channels.push({ name, created: !existing.has(name), real: true });
      const stale = existing.get(mockName);
      if (stale?.enabled) await admin('PATCH', `/admin/v1/channels/${stale.id}`, { enabled: false });
      continue;
    }
    const mock = existing.get(mockName);
    const mockBase = `${o.mockUrl}${MOCK_PATHS[provider]}`;
    if (mock && mock.base_url !== mockBase) {
      // The mock moved (another MOCK_PORT, or an older seed): follow it rather than keep routing to a dead port.
      await admin('PATCH', `/admin/v1/channels/${mock.id}`, { base_url: mockBase, provider });
    }
    if (mock) await addMissingModels(admin, mock, introduced);
    if (!mock) {
      await admin('POST', '/admin/v1/channels', {
        name: mockName,
        provider,
        base_url: mockBase,
        api_keys: ['sk-mock-demo'],
        models: models.map((m) => m.id),
        model_mapping: mapping,
      });
    }
    channels.push({ name: mockName, created: !existing.has(mockName), real: false });
  }
  if (demo.seedVersion !== SEED_VERSION) writeState(o.stateFile, { ...demo, seedVersion: SEED_VERSION });
  return { accountId: demo.accountId, key: demo.key, channels };
}

async function ensureDemo(admin: AdminCall, o: SeedOptions): Promise<DemoState> {
  let seedVersion: number | undefined;
  if (existsSync(o.stateFile)) {
    const state = JSON.parse(readFileSync(o.stateFile, 'utf8')) as DemoState;
    const found = await admin('GET', `/admin/v1/accounts/${state.accountId}`).catch(() => null);
    if (found) return state;
    // The account is gone, the channels are not: what they were seeded with still holds.
    seedVersion = state.seedVersion;
  }
  const account = (await admin('POST', '/admin/v1/accounts', { name: 'demo', credit_usd: o.demoCreditUsd ?? '10.00' })) as { id: string };
  const key = (await admin('POST', '/admin/v1/keys', { account_id: account.id, name: 'demo' })) as { key: string };
  const state: DemoState = { accountId: account.id, key: key.key, ...(seedVersion ? { seedVersion } : {}) };
  writeState(o.stateFile, state);
  return state;
}

function writeState(file: string, state: DemoState): void {
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, JSON.stringify(state, null, 2), { mode: 0o600 });
}

type AdminCall = (method: string, path: string, body?: unknown) => Promise<unknown>;

interface SeededChannel {
  id: string;
  name: string;
  enabled: boolean;
  base_url: string;
  models: string[];
  model_mapping: Record<string, string>;
}

/**
 * A channel an older seed created lacks the models introduced since (`introduced`: those of a later seed version than
 * the one applied, e.g. the embedding models): they are added with their upstream names, once — the run then records
 * its version, so a model an operator removes later stays removed. Whatever an operator changed stays as it is.
 */
async function addMissingModels(admin: AdminCall, channel: SeededChannel, mapping: Record<string, string>): Promise<void> {
  const missing = Object.keys(mapping).filter((m) => !channel.models.includes(m));
  if (missing.length === 0) return;
  await admin('PATCH', `/admin/v1/channels/${channel.id}`, {
    models: [...channel.models, ...missing],
    model_mapping: { ...Object.fromEntries(missing.map((m) => [m, mapping[m]])), ...channel.model_mapping },
  });
}

function adminClient(baseUrl: string, adminKey: string): AdminCall {
  return async (method, path, body) => {
    const res = await fetch(`${baseUrl}${path}`, {
      method,
      headers: { authorization: `Bearer ${adminKey}`, ...(body ? { 'content-type': 'application/json' } : {}) },
      body: body ? JSON.stringify(body) : undefined,
    });
    const json = (await res.json()) as { error?: { message: string } };
    if (!res.ok) throw new Error(`${method} ${path} → ${res.status}: ${json.error?.message ?? 'error'}`);
    return json;
  };
}
