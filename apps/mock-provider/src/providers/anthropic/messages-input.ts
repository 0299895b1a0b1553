import type { ChatMessage, FunctionTool } from '../../chat/chat-request';
import type { PlanInput } from '../../completion/completion-planner.service';
import { countPromptTokens, messageText } from '../../completion/token-counter';
import { chooseTools } from '../../completion/tool-calls';
import type { AnthropicBlock, AnthropicMessage, CountTokensRequest, MessagesRequest } from './messages-request';
import { thinks } from './messages-request';

type Part = { type: string; text?: string };

/**
 * Anthropic blocks as the parts the shared token counter reads: text as text, tool calls and results by their JSON
 * or text, images and documents as images. A conversation translated from OpenAI therefore counts the same input
 * tokens here as its original did there.
 */
function toParts(block: AnthropicBlock): Part[] {
  const { type } = block;
  if (type === 'text') return [{ type: 'text', text: String(block.text ?? '') }];
  if (type === 'thinking') return [{ type: 'text', text: String(block.thinking ?? '') }];
  if (type === 'tool_use') return [{ type: 'text', text: JSON.stringify(block.input ?? {}) }];
  if (type === 'tool_result') {
    const content = block.content;
    if (typeof content === 'string') return [{ type: 'text', text: content }];
    return Array.isArray(content) ? content.flatMap((inner) => (typeof inner === 'object' && inner ? toParts(inner as AnthropicBlock) : [])) : [];
  }
  if (type === 'image' || type === 'document') return [{ type: 'image_url' }];
  return [];
}

function toChatMessage(message: Pick<AnthropicMessage, 'role' | 'content'>): ChatMessage {
  return { role: message.role, content: typeof message.content === 'string' ? message.content : message.content.flatMap(toParts) };
}

/** The system prompt counts as one more message, as it would in an OpenAI request. */
function chatMessages(request: CountTokensRequest): ChatMessage[] {
  const system = request.system === undefined ? [] : [toChatMessage({ role: 'system', content: request.system })];
  return [...system, ...request.messages.map(toChatMessage)];
}

export function countInputTokens(request: CountTokensRequest): number {
  return countPromptTokens(chatMessages(request));
}

/** Anthropic's `tool_choice` in OpenAI's terms, so the shared tool selection decides which tools are called. */
function toolsToCall(request: MessagesRequest) {
  const tools: FunctionTool[] = (request.tools ?? []).map((t) => ({ type: 'function', function: { name: t.name, parameters: t.input_schema } }));
  const choice = request.tool_choice;
  const toolChoice =
    choice?.type === 'tool'
      ? { type: 'function' as const, function: { name: choice.name ?? '' } }
      : ({ auto: 'auto', any: 'required', none: 'none' } as const)[choice?.type ?? 'auto'];
  return chooseTools({ tools, tool_choice: toolChoice, parallel_tool_calls: choice?.disable_parallel_tool_use !== true }).map((t) => ({
    name: t.function.name,
    parameters: t.function.parameters,
  }));
}

/** Structured outputs: the answer's text block is JSON matching the schema. */
function structured(request: MessagesRequest): Pick<PlanInput, 'structured'> {
  const format = request.output_config?.format ?? request.output_format;
  return format ? { structured: { type: 'json_schema', schema: format.schema } } : {};
}

export function messagesPlanInput(request: MessagesRequest): PlanInput {
  const messages = chatMessages(request);
  const lastUser = messages.findLast((m) => m.role === 'user');
  return {
    seedText: lastUser ? messageText(lastUser) : '',
    promptTokens: countPromptTokens(messages),
    n: 1,
    maxTokens: request.max_tokens,
    tools: toolsToCall(request),
    reasoning: thinks(request),
    stopSequences: request.stop_sequences,
    ...structured(request),
    idPrefix: 'msg_',
    toolCallIdPrefix: 'toolu_',
  };
}
