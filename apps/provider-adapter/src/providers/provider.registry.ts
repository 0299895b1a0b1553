import { type Provider, TfError } from '@tokenflow/contracts';
import { DeepseekProvider } from './deepseek';
import { MoonshotProvider } from './moonshot';
import { OpenaiProvider } from './openai';
import { OpenaiCompatibleProvider } from './openai-compatible';
import type { ProviderAdapter } from './provider';
import { QwenProvider } from './qwen';
import { ZhipuProvider } from './zhipu';

const registry: Partial<Record<Provider, ProviderAdapter>> = {
  deepseek: DeepseekProvider,
  moonshot: MoonshotProvider,
  zhipu: ZhipuProvider,
  qwen: QwenProvider,
  openai: OpenaiProvider,
  'openai-compatible': OpenaiCompatibleProvider,
};

export function providerFor(id: Provider): ProviderAdapter {
  const adapter = registry[id];
  if (!adapter) {
    throw new TfError('upstream_error', `The '${id}' provider's wire format is not supported by this gateway build.`, {
      retryable: true,
    });
  }
  return adapter;
}
