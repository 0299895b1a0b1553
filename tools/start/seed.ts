import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';

/** A launch model: our id, who serves it, and what a real channel for it looks like. */
interface SeedModel {
  id: string;
  provider: 'deepseek' | 'moonshot' | 'zhipu' | 'qwen' | 'openai' | 'anthropic';
  /** The upstream's own name for it (used for the real channel and, for realism, the mock). */
  upstream: string;
}

export const SEED_MODELS: SeedModel[] = [
  { id: 'deepseek-v3', provider: 'deepseek', upstream: 'deepseek-chat' },
  { id: 'deepseek-r1', provider: 'deepseek', upstream: 'deepseek-reasoner' },
  { id: 'kimi-k2', provider: 'moonshot', upstream: 'kimi-k2-0905-preview' },
  { id: 'glm-4-plus', provider: 'zhipu', upstream: 'glm-4-plus' },
  { id: 'qwen-max', provider: 'qwen', upstream: 'qwen-max' },
  { id: 'gpt-4o', provider: 'openai', upstream: 'gpt-4o' },
  { id: 'claude-sonnet', provider: 'anthropic', upstream: 'claude-sonnet-4-5' },
];

/** Real upstreams: the env variable holding the key and the base URL each provider documents. */
export const REAL_PROVIDERS: Record<SeedModel['provider'], { env: string; baseUrl: string }> = {
  deepseek: { env: 'DEEPSEEK_API_KEY', baseUrl: 'https://api.deepseek.com' },
  moonshot: { env: 'MOONSHOT_API_KEY', baseUrl: 'https://api.moonshot.cn/v1' },
  zhipu: { env: 'ZHIPU_API_KEY', baseUrl: 'https://open.bigmodel.cn/api/paas/v4' },
  qwen: { env: 'DASHSCOPE_API_KEY', baseUrl: 'https://dashscope.aliyuncs.com/compatible-mode/v1' },
  openai: { env: 'OPENAI_API_KEY', baseUrl: 'https://api.openai.com/v1' },
  anthropic: { env: 'ANTHROPIC_API_KEY', baseUrl: 'https://api.anthropic.com/v1' },
};

/** Where the mock provider speaks each provider's own wire format (the adapter runs its real translation). */
export const MOCK_PATHS: Record<SeedModel['provider'], string> = {
  deepseek: '/deepseek',
  moonshot: '/moonshot/v1',
  zhipu: '/zhipu/api/paas/v4',
  qwen: '/qwen/compatible-mode/v1',
  openai: '/openai/v1',
  anthropic: '/anthropic/v1',
};

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
}

/**
 * Idempotent seeding through the admin API: a demo account and key (remembered in a local state file), and one
 * channel per launch model — real when that provider's key is in the environment, the mock provider otherwise.
 */
export async function seed(o: SeedOptions): Promise<SeedResult> {
  const admin = adminClient(o.ingressUrl, o.adminKey);
  const demo = await ensureDemo(admin, o);
  const existing = new Map(
    ((await admin('GET', '/admin/v1/channels')) as { data: { id: string; name: string; enabled: boolean; base_url: string }[] }).data.map((c) => [
      c.name,
      c,
    ]),
  );
  const channels: SeedResult['channels'] = [];
  for (const provider of new Set(SEED_MODELS.map((m) => m.provider))) {
    const models = SEED_MODELS.filter((m) => m.provider === provider);
    const mapping = Object.fromEntries(models.map((m) => [m.id, m.upstream]));
    const realKey = o.env[REAL_PROVIDERS[provider].env];
    const mockName = `mock-${provider}`;
    if (realKey) {
      const name = `${provider}-env`;
      if (!existing.has(name)) {
        await admin('POST', '/admin/v1/channels', {
          name,
          provider,
          base_url: REAL_PROVIDERS[provider].baseUrl,
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
  return { accountId: demo.accountId, key: demo.key, channels };
}

async function ensureDemo(admin: AdminCall, o: SeedOptions): Promise<DemoState> {
  if (existsSync(o.stateFile)) {
    const state = JSON.parse(readFileSync(o.stateFile, 'utf8')) as DemoState;
    const found = await admin('GET', `/admin/v1/accounts/${state.accountId}`).catch(() => null);
    if (found) return state;
  }
  const account = (await admin('POST', '/admin/v1/accounts', { name: 'demo', credit_usd: o.demoCreditUsd ?? '10.00' })) as { id: string };
  const key = (await admin('POST', '/admin/v1/keys', { account_id: account.id, name: 'demo' })) as { key: string };
  const state = { accountId: account.id, key: key.key };
  mkdirSync(dirname(o.stateFile), { recursive: true });
  writeFileSync(o.stateFile, JSON.stringify(state, null, 2), { mode: 0o600 });
  return state;
}

type AdminCall = (method: string, path: string, body?: unknown) => Promise<unknown>;

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
