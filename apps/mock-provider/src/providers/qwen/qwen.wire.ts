import type { ProviderWire } from '../provider-wire';
import { QWEN_CHAT } from './qwen-chat.flavor';
import { QWEN_EMBEDDINGS } from './qwen-embeddings.flavor';
import { QWEN_ERRORS } from './qwen.dialect';

/** DashScope's OpenAI-compatible mode (`https://dashscope.aliyuncs.com/compatible-mode/v1`). */
export const QWEN_WIRE: ProviderWire = {
  errors: QWEN_ERRORS,
  routes: {
    'chat/completions': { api: 'chat', flavor: QWEN_CHAT },
    embeddings: { api: 'embeddings', flavor: QWEN_EMBEDDINGS },
  },
};
