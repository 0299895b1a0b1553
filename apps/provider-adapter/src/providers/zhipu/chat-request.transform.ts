import { createHash } from 'node:crypto';
import { TfError } from '@tokenflow/contracts';
import { jsonSchemaOf, withJsonInstruction } from '../json-instruction';

type Json = Record<string, unknown>;

/**
 * Zhipu's documented limits, all from the chat API reference (docs.bigmodel.cn/api-reference/模型-api/对话补全, the
 * OpenAPI schema `ChatCompletionTextRequest` and siblings) unless noted.
 */
export const ZHIPU_LIMITS = {
  /** `temperature`: "[0.0, 1.0]，限两位小数"; older docs and the official SDK: (0, 1], 0 not allowed. */
  temperature: { min: 0.01, max: 1 },
  /** `top_p`: "[0.01, 1.0]，限两位小数"; older docs and the SDK: the open interval (0, 1). */
  topP: { min: 0.01, max: 0.99 },
  /** `max_tokens`: `maximum: 131072`. */
  maxTokens: 131_072,
  /** `stop`: "目前仅支持单个停止词" (`maxItems: 1`). */
  stopWords: 1,
  /** `user_id`: `minLength: 6`, `maxLength: 128`. */
  userId: { min: 6, max: 128 },
} as const;

/**
 * OpenAI Chat Completions body (validated by `@tokenflow/openai`) → Zhipu's. One rule per parameter, so nothing
 * reaches Zhipu that it would answer with a 400 the caller cannot make sense of:
 * - `n` > 1 is refused here (`invalid_request`, param `n`): GLM returns one choice.
 * - `temperature` is clamped to [0.01, 1] and rounded to 2 decimals; 0 means greedy, which Zhipu spells
 *   `do_sample: false` (temperature and top_p are then ignored upstream, so neither is sent). A `do_sample` the
 *   caller set (a Zhipu extension) wins.
 * - `top_p` is clamped into the open interval, [0.01, 0.99], 2 decimals.
 * - `max_completion_tokens` (else `max_tokens`) becomes `max_tokens`, capped at 131072.
 * - `stop`: the first stop word is kept, the rest dropped (Zhipu takes one).
 * - `tools`: function tools pass, with `description`/`parameters` filled in (Zhipu requires both) and OpenAI's
 *   `strict` dropped. `tool_choice`: Zhipu only knows `auto`, so `auto`/`required` → `auto`; `none` → no tools are
 *   sent at all; a named function → only that tool is sent, with `auto` (the closest Zhipu can get).
 * - `user` → `user_id`; an id outside 6–128 characters is replaced by its SHA-256 hex (stable, 64 characters).
 * - `response_format`: `json_object` passes; `json_schema` becomes `json_object` — Zhipu's chat API documents only
 *   `text` and `json_object` (docs.bigmodel.cn, 对话补全, `response_format.type`) — and its schema is added as a
 *   system message after the caller's leading ones (`jsonInstruction`), so a real GLM can follow it. On Zhipu
 *   json_schema is best effort: the answer is valid JSON, the schema is not enforced upstream. `text` is the default
 *   and is dropped.
 * - Messages: `developer` → `system`; text-only part arrays → one string (GLM text models take strings); image
 *   parts keep only `url`, with a `data:` URL reduced to its base64 payload (what Zhipu's SDKs send); `name` dropped.
 *   At least one user message is required by Zhipu ("不能只包含系统消息或助手消息").
 * - `stream` is always true; Zhipu puts usage in the last chunk by itself, so `stream_options` is dropped.
 * - Zhipu's own documented fields pass: `thinking` ({type, clear_thinking}), `do_sample`, `request_id`,
 *   `tool_stream`, `meta`, `watermark_enabled`; `enable_thinking` (the extra_body flag other providers use)
 *   becomes `thinking`. Everything else (logit_bias, logprobs, top_logprobs, presence/frequency_penalty, seed,
 *   parallel_tool_calls, service_tier, metadata, store, modalities, reasoning_effort…) is not forwarded.
 */
export function toZhipuChatBody(body: Json, model: string): Json {
  if (typeof body.n === 'number' && body.n > 1) {
    throw new TfError('invalid_request', 'Zhipu GLM models return a single choice: n must be 1.', { param: 'n' });
  }
  const out: Json = { model, messages: withJsonInstruction(toZhipuMessages(body.messages), jsonSchemaOf(body.response_format)) as Json[], stream: true };
  Object.assign(out, sampling(body));
  const maxTokens = num(body.max_completion_tokens) ?? num(body.max_tokens);
  if (maxTokens !== undefined) out.max_tokens = Math.min(Math.max(1, Math.floor(maxTokens)), ZHIPU_LIMITS.maxTokens);
  const stop = stopWords(body.stop);
  if (stop) out.stop = stop;
  Object.assign(out, toolRules(body.tools, body.tool_choice));
  const format = responseFormat(body.response_format);
  if (format) out.response_format = format;
  const userId = endUserId(body.user_id) ?? endUserId(body.user);
  if (userId) out.user_id = userId;
  if (typeof body.request_id === 'string' && body.request_id) out.request_id = body.request_id;
  const thinking = thinkingOf(body);
  if (thinking) out.thinking = thinking;
  if (typeof body.tool_stream === 'boolean') out.tool_stream = body.tool_stream;
  if (isObject(body.meta)) out.meta = body.meta;
  if (typeof body.watermark_enabled === 'boolean') out.watermark_enabled = body.watermark_enabled;
  return out;
}

function sampling(body: Json): Json {
  const out: Json = {};
  const temperature = num(body.temperature);
  let doSample = typeof body.do_sample === 'boolean' ? body.do_sample : undefined;
  if (temperature !== undefined && temperature <= 0) doSample ??= false;
  if (doSample !== false) {
    if (temperature !== undefined) out.temperature = clamp2(temperature, ZHIPU_LIMITS.temperature);
    const topP = num(body.top_p);
    if (topP !== undefined) out.top_p = clamp2(topP, ZHIPU_LIMITS.topP);
  }
  if (doSample !== undefined) out.do_sample = doSample;
  return out;
}

function stopWords(stop: unknown): string[] | undefined {
  const words = (typeof stop === 'string' ? [stop] : Array.isArray(stop) ? stop : []).filter((w): w is string => typeof w === 'string' && w !== '');
  return words.length ? words.slice(0, ZHIPU_LIMITS.stopWords) : undefined;
}

function toolRules(rawTools: unknown, choice: unknown): Json {
  let tools = (Array.isArray(rawTools) ? rawTools : []).filter((t): t is Json => isObject(t) && t.type === 'function' && isObject(t.function));
  if (!tools.length || choice === 'none') return {};
  if (isObject(choice) && isObject(choice.function)) {
    const name = (choice.function as Json).name;
    tools = tools.filter((t) => (t.function as Json).name === name);
    if (!tools.length) {
      throw new TfError('invalid_request', `tool_choice names a function ('${String(name)}') that is not in tools.`, { param: 'tool_choice' });
    }
  }
  const out: Json = { tools: tools.map(toZhipuTool) };
  // Zhipu documents `auto` as the only choice; sending it when the caller asked for any is explicit and harmless.
  if (choice !== undefined && choice !== null) out.tool_choice = 'auto';
  return out;
}

function toZhipuTool(tool: Json): Json {
  const fn = tool.function as Json;
  return {
    type: 'function',
    function: {
      name: fn.name,
      description: typeof fn.description === 'string' ? fn.description : '',
      parameters: isObject(fn.parameters) ? fn.parameters : { type: 'object', properties: {} },
    },
  };
}

function responseFormat(format: unknown): Json | undefined {
  if (!isObject(format)) return undefined;
  return format.type === 'json_object' || format.type === 'json_schema' ? { type: 'json_object' } : undefined;
}

function endUserId(user: unknown): string | undefined {
  if (typeof user !== 'string' || !user) return undefined;
  const { min, max } = ZHIPU_LIMITS.userId;
  return user.length >= min && user.length <= max ? user : createHash('sha256').update(user, 'utf8').digest('hex');
}

function thinkingOf(body: Json): Json | undefined {
  if (isObject(body.thinking)) {
    const { type, clear_thinking } = body.thinking;
    const out: Json = {};
    // Anthropic-format clients may ask for `adaptive` (the model decides): GLM's thinking is on or off.
    if (type === 'enabled' || type === 'disabled') out.type = type;
    else if (type === 'adaptive') out.type = 'enabled';
    if (typeof clear_thinking === 'boolean') out.clear_thinking = clear_thinking;
    return Object.keys(out).length ? out : undefined;
  }
  return typeof body.enable_thinking === 'boolean' ? { type: body.enable_thinking ? 'enabled' : 'disabled' } : undefined;
}

function toZhipuMessages(messages: unknown): Json[] {
  const list = (Array.isArray(messages) ? messages : []).filter(isObject).map(toZhipuMessage);
  if (!list.some((m) => m.role === 'user')) {
    throw new TfError('invalid_request', 'Zhipu GLM models need at least one user message.', { param: 'messages' });
  }
  return list;
}

function toZhipuMessage(m: Json): Json {
  switch (m.role) {
    case 'system':
    case 'developer':
      return { role: 'system', content: textOf(m.content) };
    case 'user':
      return { role: 'user', content: userContent(m.content) };
    case 'assistant': {
      const out: Json = { role: 'assistant' };
      const toolCalls = Array.isArray(m.tool_calls) ? m.tool_calls.filter(isObject).map(toZhipuToolCall) : [];
      const content = m.content === null || m.content === undefined ? undefined : textOf(m.content);
      if (content !== undefined && (content !== '' || !toolCalls.length)) out.content = content;
      if (toolCalls.length) out.tool_calls = toolCalls;
      if (typeof m.reasoning_content === 'string' && m.reasoning_content) out.reasoning_content = m.reasoning_content;
      return out;
    }
    case 'tool':
      return { role: 'tool', content: textOf(m.content), tool_call_id: m.tool_call_id };
    case 'function':
      // OpenAI's deprecated function-result message: the nearest Zhipu has is a tool message.
      return { role: 'tool', content: textOf(m.content) };
    default:
      return m;
  }
}

function toZhipuToolCall(call: Json): Json {
  const fn = isObject(call.function) ? call.function : {};
  return { id: call.id, type: 'function', function: { name: fn.name, arguments: typeof fn.arguments === 'string' ? fn.arguments : JSON.stringify(fn.arguments ?? {}) } };
}

/** Text of a string or an array of parts (text parts joined by newlines; other parts have no text to keep). */
function textOf(content: unknown): string {
  if (typeof content === 'string') return content;
  if (!Array.isArray(content)) return '';
  return content
    .filter(isObject)
    .filter((p) => p.type === 'text' && typeof p.text === 'string')
    .map((p) => p.text as string)
    .join('\n');
}

function userContent(content: unknown): unknown {
  if (!Array.isArray(content)) return typeof content === 'string' ? content : '';
  const parts = content.filter(isObject);
  if (parts.every((p) => p.type === 'text')) return textOf(parts);
  return parts.map((p) => {
    if (p.type === 'text') return { type: 'text', text: p.text };
    if (p.type === 'image_url' && isObject(p.image_url)) return { type: 'image_url', image_url: { url: imageUrl(p.image_url.url) } };
    // video_url, file_url, input_audio and file are Zhipu's own part types: they pass as they are.
    return p;
  });
}

/** `data:image/png;base64,AAAA` → `AAAA`: Zhipu takes a URL or bare base64 (its SDKs strip the prefix too). */
function imageUrl(url: unknown): unknown {
  if (typeof url !== 'string') return url;
  const match = /^data:image\/[^;,]+;base64,(.*)$/s.exec(url);
  return match ? match[1] : url;
}

function clamp2(value: number, range: { min: number; max: number }): number {
  return Math.min(range.max, Math.max(range.min, Math.round(value * 100) / 100));
}

const num = (v: unknown): number | undefined => (typeof v === 'number' && Number.isFinite(v) ? v : undefined);

export const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);
