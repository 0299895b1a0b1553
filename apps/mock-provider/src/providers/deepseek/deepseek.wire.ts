import type { ProviderWire } from '../provider-wire';
import { DEEPSEEK_CHAT } from './deepseek-chat.flavor';
import { DEEPSEEK_ERRORS } from './deepseek.dialect';

/**
 * DeepSeek offers chat and its FIM completions beta (`/beta/completions`, OpenAI's legacy completions shape), no
 * embeddings (`…/embeddings` is its 404, as upstream), at `https://api.deepseek.com` and under `/v1`.
 */
export const DEEPSEEK_WIRE: ProviderWire = {
  errors: DEEPSEEK_ERRORS,
  routes: { 'chat/completions': { api: 'chat', flavor: DEEPSEEK_CHAT }, 'beta/completions': { api: 'completions' } },
  alsoUnder: ['/v1'],
};
