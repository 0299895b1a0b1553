import { PROVIDER_DESCRIPTORS, PROVIDERS } from './providers.generated';

/**
 * One provider's catalog card, `apps/provider-adapter/src/providers/<id>/provider.json`. The folders are the list:
 * `npm run providers` gathers the cards into `providers.generated.ts`, so services that may not import the adapter
 * (ingress, router, the mock, the seed) see the same providers without a hand-kept copy (decision 0010).
 */
export interface ProviderDescriptor {
  /** For people: docs, logs, messages. */
  readonly name: string;
  /** Where a channel without a base URL of its own sends requests; '' = every channel must name one. */
  readonly defaultBaseUrl: string;
  /** The env variable the demo seed reads a real upstream key from; absent = no public upstream to point at. */
  readonly keyEnv?: string;
  /** Our well-known model names → the provider's ids, where a channel's `model_mapping` names none (the router's one mapping step). */
  readonly modelAliases: Readonly<Record<string, string>>;
}

export { PROVIDER_DESCRIPTORS, PROVIDERS };
export type Provider = (typeof PROVIDERS)[number];

export function isProvider(id: unknown): id is Provider {
  return typeof id === 'string' && Object.hasOwn(PROVIDER_DESCRIPTORS, id);
}

/** A provider without a public default (`openai-compatible`) needs the channel's own base URL. */
export function needsBaseUrl(provider: Provider): boolean {
  return PROVIDER_DESCRIPTORS[provider].defaultBaseUrl === '';
}

/**
 * Where the mock provider speaks a provider's wire format: `/<id>` plus the path of its default base URL
 * (`https://api.moonshot.cn/v1` → `/moonshot/v1`), so a channel's base URL ends exactly where the real one would.
 * The mock serves these prefixes; the seed and the tests point channels at them.
 */
export function mockBasePath(provider: Provider): string {
  const base = PROVIDER_DESCRIPTORS[provider].defaultBaseUrl;
  const path = base ? new URL(base).pathname : '';
  return `/${provider}${path === '/' ? '' : path}`;
}

/** The model id that asks the router to choose. */
export const AUTO_MODEL = 'auto';
