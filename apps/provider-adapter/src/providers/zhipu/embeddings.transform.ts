import { TfError, type TokenUsage } from '@tokenflow/contracts';
import { isObject } from './chat-request.transform';
import { zhipuStreamError } from './error.mapper';

type Json = Record<string, unknown>;

/**
 * Zhipu's embeddings API (docs.bigmodel.cn/api-reference/模型-api/文本嵌入): `model`, `input` (a string or an array of
 * strings: embedding-3 takes at most 64, each up to 3072 tokens; embedding-2 up to 512 tokens each, 8K in all) and
 * `dimensions` (embedding-3: 256, 512, 1024 or 2048, default 2048; embedding-2: fixed at 1024).
 */
export const EMBEDDING_3_DIMENSIONS = [256, 512, 1024, 2048] as const;
export const EMBEDDING_3_MAX_INPUTS = 64;

/**
 * OpenAI embeddings body → Zhipu's. Rules: text input only (token-id arrays are refused: Zhipu takes text); an
 * empty input or more inputs than embedding-3 takes is refused here; `dimensions` must be one embedding-3 offers
 * (embedding-2 accepts only its fixed 1024, which is then not sent); `encoding_format` and `user` are not forwarded
 * (Zhipu documents neither: vectors come back as floats).
 */
export function toZhipuEmbeddingsBody(body: Json, model: string): Json {
  const input = body.input;
  const texts = typeof input === 'string' ? [input] : Array.isArray(input) ? input : null;
  if (!texts || !texts.every((t) => typeof t === 'string')) {
    throw new TfError('invalid_request', 'Zhipu embeddings take text: input must be a string or an array of strings.', { param: 'input' });
  }
  if (texts.length === 0 || texts.some((t) => t === '')) {
    throw new TfError('invalid_request', 'input must not be empty.', { param: 'input' });
  }
  if (model === 'embedding-3' && texts.length > EMBEDDING_3_MAX_INPUTS) {
    throw new TfError('invalid_request', `embedding-3 takes at most ${EMBEDDING_3_MAX_INPUTS} inputs per request.`, { param: 'input' });
  }
  const out: Json = { model, input };
  const dimensions = body.dimensions;
  if (dimensions === undefined || dimensions === null) return out;
  if (model === 'embedding-2') {
    if (dimensions !== 1024) throw new TfError('invalid_request', 'embedding-2 returns 1024 dimensions only.', { param: 'dimensions' });
    return out;
  }
  if (model === 'embedding-3' && !(EMBEDDING_3_DIMENSIONS as readonly unknown[]).includes(dimensions)) {
    throw new TfError('invalid_request', `embedding-3 offers ${EMBEDDING_3_DIMENSIONS.join(', ')} dimensions.`, { param: 'dimensions' });
  }
  if (typeof dimensions === 'number' && Number.isInteger(dimensions) && dimensions > 0) out.dimensions = dimensions;
  return out;
}

/**
 * Zhipu's 2xx body (`{model, object: 'list', data: [{index, object, embedding}], usage: {prompt_tokens,
 * completion_tokens, total_tokens}}`) → OpenAI's list, in input order, and its usage (completion is 0).
 */
export function fromZhipuEmbeddings(text: string): { response: Json; usage: TokenUsage } {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    parsed = undefined;
  }
  if (!isObject(parsed)) throw new TfError('upstream_error', 'The upstream sent a malformed embeddings response.', { retryable: true });
  if (parsed.error !== undefined && parsed.error !== null) throw zhipuStreamError(parsed.error);
  const raw = Array.isArray(parsed.data) ? parsed.data.filter(isObject) : null;
  if (!raw || raw.some((d) => !Array.isArray(d.embedding))) {
    throw new TfError('upstream_error', 'The upstream sent an embeddings response without vectors.', { retryable: true });
  }
  const data = raw
    .map((d, i) => ({ object: 'embedding', index: typeof d.index === 'number' ? d.index : i, embedding: d.embedding }))
    .sort((a, b) => a.index - b.index);
  const u = isObject(parsed.usage) ? parsed.usage : {};
  const promptTokens = tokens(u.prompt_tokens) ?? tokens(u.total_tokens) ?? 0;
  const response: Json = { object: 'list', data, model: parsed.model, usage: { prompt_tokens: promptTokens, total_tokens: promptTokens } };
  return { response, usage: { prompt_tokens: promptTokens, completion_tokens: 0, total_tokens: promptTokens } };
}

const tokens = (v: unknown): number | undefined => (typeof v === 'number' && Number.isFinite(v) && v >= 0 ? Math.round(v) : undefined);
