import { isProvider, mockBasePath, type Provider, PROVIDERS } from '@tokenflow/contracts';
import { ANTHROPIC_WIRE } from './anthropic/anthropic.wire';
import { DEEPSEEK_WIRE } from './deepseek/deepseek.wire';
import type { ErrorDialect } from './error-dialect';
import { MOONSHOT_WIRE } from './moonshot/moonshot.wire';
import { OPENAI_ERRORS } from './openai/openai.dialect';
import { OPENAI_WIRE } from './openai/openai.wire';
import type { ProviderWire, WireRoute } from './provider-wire';
import { QWEN_WIRE } from './qwen/qwen.wire';
import { ZHIPU_WIRE } from './zhipu/zhipu.wire';

/**
 * The wire formats the mock imitates beyond plain OpenAI. A provider of the gateway's list (its adapter folders)
 * without an entry here is served OpenAI's wire under its own prefix, so a new OpenAI-compatible provider needs
 * nothing in the mock until a quirk of its own is worth imitating.
 */
const WIRES: Partial<Record<Provider, ProviderWire>> = {
  openai: OPENAI_WIRE,
  deepseek: DEEPSEEK_WIRE,
  moonshot: MOONSHOT_WIRE,
  qwen: QWEN_WIRE,
  zhipu: ZHIPU_WIRE,
  anthropic: ANTHROPIC_WIRE,
};

const wireOf = (provider: Provider): ProviderWire => WIRES[provider] ?? OPENAI_WIRE;

export interface ProviderRoute {
  provider: Provider;
  wire: ProviderWire;
  route: WireRoute;
}

/** Every provider route, by full path without the leading slash (`moonshot/v1/chat/completions`). */
const ROUTES = new Map<string, ProviderRoute>(
  PROVIDERS.flatMap((provider) => {
    const wire = wireOf(provider);
    const bases = [mockBasePath(provider), ...(wire.alsoUnder ?? []).map((p) => `/${provider}${p}`)];
    return bases.flatMap((base) => Object.entries(wire.routes).map(([path, route]) => [`${base.slice(1)}/${path}`, { provider, wire, route }] as const));
  }),
);

/** The paths the provider routes controller registers. */
export const PROVIDER_ROUTE_PATHS: readonly string[] = [...ROUTES.keys()];

export function providerRoute(url: string): ProviderRoute | undefined {
  return ROUTES.get(pathOf(url).slice(1));
}

/** The error format of the provider whose prefix the path starts with; OpenAI's for the bare `/v1/…` paths. */
export function dialectFor(url: string): ErrorDialect {
  const first = pathOf(url).split('/')[1];
  return isProvider(first) ? wireOf(first).errors : OPENAI_ERRORS;
}

const pathOf = (url: string): string => url.split('?')[0];
