import type { ProviderWire } from '../provider-wire';
import { ZHIPU_CHAT } from './zhipu-chat.flavor';
import { ZHIPU_EMBEDDINGS } from './zhipu-embeddings.flavor';
import { ZHIPU_ERRORS } from './zhipu.dialect';

/** Zhipu's open platform API (`https://open.bigmodel.cn/api/paas/v4`). */
export const ZHIPU_WIRE: ProviderWire = {
  errors: ZHIPU_ERRORS,
  routes: {
    'chat/completions': { api: 'chat', flavor: ZHIPU_CHAT },
    embeddings: { api: 'embeddings', flavor: ZHIPU_EMBEDDINGS },
  },
};
