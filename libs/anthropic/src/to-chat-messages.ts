import type { CountTokensRequest } from './messages-request.schema';

type AnthropicMessage = CountTokensRequest['messages'][number];
type UserBlock = Exclude<Extract<AnthropicMessage, { role: 'user' }>['content'], string>[number];
type AssistantBlock = Exclude<Extract<AnthropicMessage, { role: 'assistant' }>['content'], string>[number];
type TextBlock = Extract<UserBlock, { type: 'text' }>;
type ImageBlock = Extract<UserBlock, { type: 'image' }>;
type ToolResultBlock = Extract<UserBlock, { type: 'tool_result' }>;

type ChatMessage = Record<string, unknown>;
type ContentPart = { type: 'text'; text: string } | { type: 'image_url'; image_url: { url: string } };

/** `system` (top level) then each turn, in order, as OpenAI chat messages. */
export function toChatMessages(system: CountTokensRequest['system'], messages: AnthropicMessage[]): ChatMessage[] {
  const out: ChatMessage[] = [];
  const systemText = joinText(system);
  if (systemText) out.push({ role: 'system', content: systemText });
  for (const m of messages) {
    out.push(...(m.role === 'user' ? userTurn(m.content) : assistantTurn(m.content)));
  }
  return out;
}

/**
 * Providers differ on array content for system prompts, so system text blocks are joined into one string (the
 * blocks exist in Anthropic's API to place cache breakpoints, which have no OpenAI equivalent).
 */
function joinText(content: string | TextBlock[] | null | undefined): string | null {
  if (content === null || content === undefined) return null;
  return typeof content === 'string' ? content : content.map((b) => b.text).join('\n\n');
}

/**
 * An Anthropic user turn may answer tool calls and say more. OpenAI needs each answer as its own `tool` message
 * right after the assistant's calls, so those come first (Anthropic requires tool_result blocks first anyway),
 * then a user message with the rest. OpenAI tool messages cannot carry images, so images returned by a tool move
 * into that user message, after a line saying which call they came from.
 */
function userTurn(content: string | UserBlock[]): ChatMessage[] {
  if (typeof content === 'string') return [{ role: 'user', content }];
  const tools: ChatMessage[] = [];
  const parts: ContentPart[] = [];
  for (const block of content) {
    if (block.type === 'text') parts.push({ type: 'text', text: block.text });
    else if (block.type === 'image') parts.push(imagePart(block));
    else if (block.type === 'tool_result') {
      tools.push({ role: 'tool', tool_call_id: block.tool_use_id, content: toolResultText(block) });
      const images = Array.isArray(block.content) ? block.content.filter((b) => b.type === 'image') : [];
      if (images.length) parts.push({ type: 'text', text: `Image(s) returned by tool call ${block.tool_use_id}:` }, ...images.map(imagePart));
    }
    // thinking / redacted_thinking: not forwarded (see the README).
  }
  return parts.length ? [...tools, { role: 'user', content: parts }] : tools;
}

function toolResultText(block: ToolResultBlock): string {
  const c = block.content;
  const text = typeof c === 'string' ? c : (c ?? []).flatMap((b) => (b.type === 'text' ? [b.text] : [])).join('\n');
  // OpenAI has no error flag on tool results; the model still needs to know the call failed.
  if (!block.is_error) return text;
  return text ? `Error: ${text}` : 'Error';
}

function imagePart(block: ImageBlock): ContentPart {
  const s = block.source;
  const url = s.type === 'base64' ? `data:${s.media_type};base64,${s.data}` : s.url;
  return { type: 'image_url', image_url: { url } };
}

/** Text blocks become `content`, tool_use blocks `tool_calls`; a turn left with neither (only thinking) is skipped. */
function assistantTurn(content: string | AssistantBlock[]): ChatMessage[] {
  if (typeof content === 'string') return content ? [{ role: 'assistant', content }] : [];
  const texts: string[] = [];
  const toolCalls: Record<string, unknown>[] = [];
  for (const block of content) {
    if (block.type === 'text') texts.push(block.text);
    else if (block.type === 'tool_use') {
      toolCalls.push({ id: block.id, type: 'function', function: { name: block.name, arguments: JSON.stringify(block.input) } });
    }
  }
  const text = texts.join('\n');
  if (!text && toolCalls.length === 0) return [];
  const msg: ChatMessage = { role: 'assistant', content: text || null };
  if (toolCalls.length) msg.tool_calls = toolCalls;
  return [msg];
}
