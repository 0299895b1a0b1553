import { type Endpoint, type Provider, TfError } from '@tokenflow/contracts';
import { AnthropicProvider } from './anthropic';
import { DeepseekProvider } from './deepseek';
import { MoonshotProvider } from './moonshot';
import { OpenaiProvider } from './openai';
import { OpenaiCompatibleProvider } from './openai-compatible';
import type { ChatCapability, CompletionsCapability, EmbeddingsCapability, ProviderAdapter } from './provider';
import { QwenProvider } from './qwen';
import { ZhipuProvider } from './zhipu';

const registry: Record<Provider, ProviderAdapter> = {
  deepseek: DeepseekProvider,
  moonshot: MoonshotProvider,
  zhipu: ZhipuProvider,
  qwen: QwenProvider,
  openai: OpenaiProvider,
  anthropic: AnthropicProvider,
  'openai-compatible': OpenaiCompatibleProvider,
};

export function providerFor(id: Provider): ProviderAdapter {
  const adapter = registry[id];
  if (!adapter) {
    throw new TfError('upstream_error', `The '${id}' provider's wire format is not supported by this gateway build.`, { retryable: true });
  }
  return adapter;
}

/** The provider's side of one API; a channel whose provider lacks it fails the attempt as retryable (try another). */
export function capability(provider: ProviderAdapter, endpoint: Endpoint): ChatCapability | CompletionsCapability | EmbeddingsCapability {
  const api = endpoint === 'chat' ? provider.chat : provider[endpoint];
  if (!api) {
    throw new TfError('upstream_error', `The '${provider.id}' provider does not offer the ${endpoint} API.`, { retryable: true });
  }
  return api;
}
