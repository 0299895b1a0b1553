import { type Provider, PROVIDER_DESCRIPTORS } from '@tokenflow/contracts';

const own = (map: Readonly<Record<string, string>>, key: string): string | undefined => (Object.hasOwn(map, key) ? map[key] : undefined);

/**
 * The one model-mapping step: our model id → the name sent upstream on one channel. The channel's own
 * `model_mapping` wins; else the provider's alias for our well-known name (its `provider.json`); else the id as it
 * is. It runs here, once, when the attempt is planned: the adapter sends `upstreamModel` unchanged, so upstream
 * quotas, usage records and the upstream itself all see the same name.
 */
export function upstreamModelFor(provider: Provider, model: string, channelMapping: Readonly<Record<string, string>>): string {
  const aliases = Object.hasOwn(PROVIDER_DESCRIPTORS, provider) ? PROVIDER_DESCRIPTORS[provider].modelAliases : {};
  return own(channelMapping, model) ?? own(aliases, model) ?? model;
}
