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

/**
 * The provider's side of one API. A provider without it is the caller's 400 (this model cannot do that), but
 * retryable: another of the model's channels may be on a provider that can.
 */
export function capability(provider: ProviderAdapter, endpoint: Endpoint): ChatCapability | CompletionsCapability | EmbeddingsCapability {
  const api = endpoint === 'chat' ? provider.chat : provider[endpoint];
  if (!api) {
    throw new TfError('invalid_request', `This model does not support the ${endpoint} API.`, { param: 'model', retryable: true });
  }
  return api;
}
