import type { Attempt } from '@tokenflow/contracts';
import { endpoint, upstreamModel } from '../endpoint';
import { zhipuTokens } from './zhipu-jwt';

/** BigModel open platform, API v4 (docs.bigmodel.cn, "对话补全" / "文本嵌入": `servers: https://open.bigmodel.cn/api/`). */
export const ZHIPU_BASE_URL = 'https://open.bigmodel.cn/api/paas/v4';
export const ZHIPU_CHAT_PATH = '/chat/completions';
export const ZHIPU_EMBEDDINGS_PATH = '/embeddings';

/**
 * Retired or unversioned GLM-4 names → the ids Zhipu serves today. Source: docs.bigmodel.cn/cn/guide/models/text/glm-4
 * ("GLM-4 系列包含 Plus、Air-250414、AirX、FlashX-250414、Flash-250414 这五个模型") and the chat API's model enum
 * (`glm-4-flash-250414`, `glm-4-flashx-250414`). Plain `glm-4` is the family's flagship, GLM-4-Plus (the mapping
 * the OpenAI-compatibility guide, docs.bigmodel.cn/cn/guide/develop/openai/introduction, also gives `gpt-4`).
 */
export const ZHIPU_MODEL_ALIASES: Readonly<Record<string, string>> = {
  'glm-4': 'glm-4-plus',
  'glm-4-air': 'glm-4-air-250414',
  'glm-4-flash': 'glm-4-flash-250414',
  'glm-4-flashx': 'glm-4-flashx-250414',
};

export const zhipuModel = (attempt: Attempt): string => upstreamModel(attempt, ZHIPU_MODEL_ALIASES);

export const zhipuUrl = (attempt: Attempt, path: string): string => endpoint(attempt, ZHIPU_BASE_URL, path);

/** `Authorization: Bearer <key or signed JWT>` (see `zhipu-jwt.ts`). */
export function zhipuHeaders(attempt: Attempt, accept: string): Record<string, string> {
  return { authorization: `Bearer ${zhipuTokens.bearer(attempt.apiKey)}`, 'content-type': 'application/json', accept };
}
