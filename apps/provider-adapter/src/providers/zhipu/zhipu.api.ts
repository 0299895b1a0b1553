import { type Attempt, PROVIDER_DESCRIPTORS } from '@tokenflow/contracts';
import { endpoint } from '../endpoint';
import { zhipuTokens } from './zhipu-jwt';

/** BigModel open platform, API v4 (docs.bigmodel.cn, "对话补全" / "文本嵌入": `servers: https://open.bigmodel.cn/api/`). */
export const ZHIPU_BASE_URL = PROVIDER_DESCRIPTORS.zhipu.defaultBaseUrl;
export const ZHIPU_CHAT_PATH = '/chat/completions';
export const ZHIPU_EMBEDDINGS_PATH = '/embeddings';

export const zhipuUrl = (attempt: Attempt, path: string): string => endpoint(attempt, ZHIPU_BASE_URL, path);

/** `Authorization: Bearer <key or signed JWT>` (see `zhipu-jwt.ts`). */
export function zhipuHeaders(attempt: Attempt, accept: string): Record<string, string> {
  return { authorization: `Bearer ${zhipuTokens.bearer(attempt.apiKey)}`, 'content-type': 'application/json', accept };
}
