import { TfError } from '@tokenflow/contracts';
import { parseBase64DataUrl } from '../data-url';

export type Block = Record<string, unknown>;

export interface AnthropicMessage {
  role: 'user' | 'assistant';
  content: Block[];
}

type Part = Record<string, unknown> & { type?: unknown };
type Message = Record<string, unknown> & { role?: unknown; content?: unknown };

/**
 * OpenAI's message list → Anthropic's `system` and strictly alternating `messages`.
 * - `system` and `developer` messages, wherever they are, become the top-level system blocks, in order.
 * - `tool` messages become `tool_result` blocks of a user turn; turns of one role in a row are merged into one.
 * - Assistant `reasoning_content` is dropped: Anthropic only takes thinking back with the signature we never get.
 * - Empty text is dropped (Anthropic rejects empty text blocks), and so is a message left with nothing.
 */
export function toAnthropicMessages(messages: unknown): { system: Block[]; messages: AnthropicMessage[] } {
  const system: Block[] = [];
  const out: AnthropicMessage[] = [];
  (Array.isArray(messages) ? (messages as Message[]) : []).forEach((m, i) => {
    const param = `messages[${i}]`;
    switch (m.role) {
      case 'system':
      case 'developer':
        pushAll(system, textBlocks(m.content));
        return;
      case 'user':
        return append(out, 'user', contentBlocks(m.content, param, USER_PARTS));
      case 'tool':
        return append(out, 'user', [toolResult(m)]);
      case 'assistant':
        return append(out, 'assistant', [...contentBlocks(m.content, param, ASSISTANT_PARTS), ...toolUses(m.tool_calls)]);
      default:
        throw new TfError('invalid_request', `The Anthropic provider does not support '${String(m.role)}' messages; use tools and 'tool' messages.`, {
          param: `${param}.role`,
        });
    }
  });
  // Anthropic wants a turn's tool results before anything else in it (a user message may precede the tool ones).
  for (const m of out) if (m.role === 'user') m.content = [...m.content.filter(isToolResult), ...m.content.filter((b) => !isToolResult(b))];
  return { system, messages: out };
}

function append(out: AnthropicMessage[], role: AnthropicMessage['role'], blocks: Block[]): void {
  if (blocks.length === 0) return;
  const last = out.at(-1);
  if (last?.role === role) pushAll(last.content, blocks);
  else out.push({ role, content: blocks });
}

/** `push(...items)` passes every item as an argument: a message of ~150k parts overflows the stack. */
function pushAll(to: Block[], items: Block[]): void {
  for (const item of items) to.push(item);
}

const isToolResult = (b: Block) => b.type === 'tool_result';

/** System, developer and tool content: a string or text parts. */
function textBlocks(content: unknown): Block[] {
  if (typeof content === 'string') return content ? [{ type: 'text', text: content }] : [];
  if (!Array.isArray(content)) return [];
  return (content as Part[]).filter((p) => typeof p.text === 'string' && p.text).map((p) => withCache({ type: 'text', text: p.text }, p));
}

type PartMapper = (part: Part, param: string) => Block | null;

function contentBlocks(content: unknown, param: string, mappers: Record<string, PartMapper>): Block[] {
  if (typeof content === 'string') return content ? [{ type: 'text', text: content }] : [];
  if (!Array.isArray(content)) return [];
  return (content as Part[]).flatMap((part, j) => {
    const at = `${param}.content[${j}]`;
    const map = mappers[String(part.type)];
    if (!map) {
      throw new TfError('invalid_request', `The Anthropic provider does not support '${String(part.type)}' content parts here.`, { param: at });
    }
    const block = map(part, at);
    return block ? [withCache(block, part)] : [];
  });
}

const text: PartMapper = (p) => (typeof p.text === 'string' && p.text ? { type: 'text', text: p.text } : null);

const USER_PARTS: Record<string, PartMapper> = {
  text,
  image_url: (p, at) => imageBlock(String((p.image_url as { url?: unknown } | undefined)?.url ?? ''), at),
  file: (p, at) => documentBlock(p.file as Record<string, unknown> | undefined, at),
};

/** OpenAI assistant content is text or a refusal; Anthropic has no refusal block, the words are what matter. */
const ASSISTANT_PARTS: Record<string, PartMapper> = {
  text,
  refusal: (p) => (typeof p.refusal === 'string' && p.refusal ? { type: 'text', text: p.refusal } : null),
};

function imageBlock(url: string, at: string): Block {
  const data = parseBase64DataUrl(url);
  if (data) return { type: 'image', source: { type: 'base64', media_type: data.mediaType, data: data.data } };
  if (/^https?:\/\//i.test(url)) return { type: 'image', source: { type: 'url', url } };
  throw new TfError('invalid_request', 'Images must be an http(s) URL or a base64 data URL.', { param: `${at}.image_url.url` });
}

/** Anthropic reads PDFs natively; OpenAI sends them inline as a data URL. Uploaded file ids mean nothing there. */
function documentBlock(file: Record<string, unknown> | undefined, at: string): Block {
  const data = typeof file?.file_data === 'string' ? parseBase64DataUrl(file.file_data) : null;
  if (data?.mediaType === 'application/pdf') return { type: 'document', source: { type: 'base64', media_type: data.mediaType, data: data.data } };
  throw new TfError('invalid_request', 'The Anthropic provider only takes files as inline PDF data URLs (file_data).', { param: `${at}.file` });
}

/** Prompt-caching marks some clients already put on parts for Anthropic-backed gateways: kept, they are meaningful. */
function withCache(block: Block, part: Part): Block {
  return part.cache_control && typeof part.cache_control === 'object' ? { ...block, cache_control: part.cache_control } : block;
}

function toolResult(m: Message): Block {
  const block: Block = { type: 'tool_result', tool_use_id: m.tool_call_id };
  if (typeof m.content === 'string') {
    if (m.content) block.content = m.content;
  } else {
    const blocks = textBlocks(m.content);
    if (blocks.length) block.content = blocks;
  }
  return block;
}

function toolUses(calls: unknown): Block[] {
  if (!Array.isArray(calls)) return [];
  return calls.map((c: { id?: unknown; function?: { name?: unknown; arguments?: unknown } }) => ({
    type: 'tool_use',
    id: c.id,
    name: c.function?.name,
    input: parseArguments(c.function?.arguments),
  }));
}

/** Anthropic needs the input as an object; arguments a model once produced broken are replayed as `{}`. */
function parseArguments(args: unknown): Record<string, unknown> {
  try {
    const v = JSON.parse(String(args)) as unknown;
    return v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}
