import { type Endpoint, type Provider, TfError } from '@tokenflow/contracts';
import { completionsViaChat } from './completions-via-chat';
import type { ChatCapability, CompletionsCapability, EmbeddingsCapability, ProviderAdapter } from './provider';
import { PROVIDER_ADAPTERS } from './providers.generated';

/**
 * A provider's adapter: its folder's `provider` export. The folders are gathered by `npm run providers` into
 * `providers.generated.ts`, so adding a provider is adding its folder, never a line here (decision 0010). A channel
 * stored with a provider this build no longer has is an upstream failure, retried on the next channel.
 */
export function providerFor(id: Provider): ProviderAdapter {
  const adapter = Object.hasOwn(PROVIDER_ADAPTERS, id) ? PROVIDER_ADAPTERS[id] : undefined;
  if (!adapter) {
    throw new TfError('upstream_error', `The '${id}' provider's wire format is not supported by this gateway build.`, { retryable: true });
  }
  return adapter;
}

/**
 * The provider's side of one API. A provider without it is the caller's 400 (this model cannot do that), but
 * retryable: another of the model's channels may be on a provider that can. Legacy completions on a model the
 * provider's completions endpoint does not serve (or a provider without one) go through its chat API (decision 0024).
 */
export function capability(provider: ProviderAdapter, endpoint: Endpoint, upstreamModel?: string): ChatCapability | CompletionsCapability | EmbeddingsCapability {
  if (endpoint === 'completions') {
    const native = provider.completions;
    return native && (upstreamModel === undefined || (native.serves?.(upstreamModel) ?? true)) ? native : viaChat(provider);
  }
  const api = endpoint === 'chat' ? provider.chat : provider[endpoint];
  if (!api) {
    throw new TfError('invalid_request', `This model does not support the ${endpoint} API.`, { param: 'model', retryable: true });
  }
  return api;
}

/** One translating capability per provider, made once. */
const VIA_CHAT = new WeakMap<ProviderAdapter, CompletionsCapability>();

function viaChat(provider: ProviderAdapter): CompletionsCapability {
  let api = VIA_CHAT.get(provider);
  if (!api) VIA_CHAT.set(provider, (api = completionsViaChat(provider.chat)));
  return api;
}
