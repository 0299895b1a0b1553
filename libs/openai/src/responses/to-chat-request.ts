import type { ResponsesRequest } from './responses-request.schema';
import { ResponseIds } from './response-ids';

/** A Responses API item as it arrives or as the store keeps it (already validated once). */
export type ResponsesItem = Record<string, unknown> & { type?: string };

type ChatMessage = Record<string, unknown> & { role: string };

/** A string input is one user message, as OpenAI reads it. */
export function inputItems(input: ResponsesRequest['input']): ResponsesItem[] {
  return typeof input === 'string' ? [{ type: 'message', role: 'user', content: input }] : (input as ResponsesItem[]);
}

/**
 * This turn's input as it is stored: a list, every item typed and with an id (the ones the client gave are kept).
 * `item_reference`s are stored as the items they resolved to.
 */
export function normaliseInput(items: readonly ResponsesItem[], ids: ResponseIds): ResponsesItem[] {
  return items.map((it, i) => {
    const type = it.type ?? 'message';
    const prefix = type === 'message' ? 'msg' : type === 'function_call' ? 'fc' : type === 'function_call_output' ? 'fco' : type === 'reasoning' ? 'rs' : 'item';
    const out: ResponsesItem = { ...it, type, id: typeof it.id === 'string' && it.id ? it.id : ids.input(prefix, i) };
    if (type === 'message' && typeof out.content === 'string') out.content = [{ type: it.role === 'assistant' ? 'output_text' : 'input_text', text: out.content }];
    // Listed back (input_items) as OpenAI lists them: a call and its output carry a status.
    if ((type === 'function_call' || type === 'function_call_output') && out.status === undefined) out.status = 'completed';
    return out;
  });
}

/**
 * The OpenAI Chat Completions body for a Responses API request: `history` (the stored conversation that
 * `previous_response_id` continues, oldest first; its instructions are not carried over, as OpenAI) then this
 * turn's items, after `instructions` as the system message. Always a stream with usage: the pipeline streams
 * upstream whatever the client asked (decision 0004). Fields with no chat meaning (`store`, `metadata`, `include`,
 * `truncation`) stay here; the Response object echoes them.
 */
export function responsesToChatRequest(req: ResponsesRequest, history: readonly ResponsesItem[] = []): Record<string, unknown> & { model: string } {
  const messages: ChatMessage[] = [];
  if (req.instructions) messages.push({ role: 'system', content: req.instructions });
  for (const it of history) addItem(messages, it);
  for (const it of inputItems(req.input)) addItem(messages, it);
  const body: Record<string, unknown> & { model: string } = { model: req.model, messages, stream: true, stream_options: { include_usage: true } };
  if (req.max_output_tokens != null) body.max_tokens = req.max_output_tokens;
  if (req.temperature != null) body.temperature = req.temperature;
  if (req.top_p != null) body.top_p = req.top_p;
  if (req.user != null) body.user = req.user;
  if (req.safety_identifier != null) body.safety_identifier = req.safety_identifier;
  if (req.service_tier != null) body.service_tier = req.service_tier;
  if (req.tools?.length) {
    body.tools = req.tools.map((t) => ({
      type: 'function',
      function: { name: t.name, ...(t.description != null ? { description: t.description } : {}), parameters: t.parameters ?? { type: 'object', properties: {} }, ...(t.strict != null ? { strict: t.strict } : {}) },
    }));
    if (req.parallel_tool_calls != null) body.parallel_tool_calls = req.parallel_tool_calls;
  }
  const choice = req.tool_choice;
  if (choice != null && (req.tools?.length || choice === 'none')) body.tool_choice = typeof choice === 'string' ? choice : { type: 'function', function: { name: choice.name } };
  const format = req.text?.format;
  if (format?.type === 'json_object') body.response_format = { type: 'json_object' };
  else if (format?.type === 'json_schema') {
    body.response_format = {
      type: 'json_schema',
      json_schema: { name: format.name, schema: format.schema, ...(format.strict != null ? { strict: format.strict } : {}), ...(format.description != null ? { description: format.description } : {}) },
    };
  }
  // Each adapter keeps it for the models that reason and drops it elsewhere (as for chat).
  if (req.reasoning?.effort) body.reasoning_effort = req.reasoning.effort;
  for (const m of messages) {
    delete m.fromItems;
    delete m.toolImages;
  }
  return body;
}

function addItem(messages: ChatMessage[], it: ResponsesItem): void {
  switch (it.type ?? 'message') {
    case 'message':
      return addMessage(messages, it);
    case 'function_call': {
      const call = { id: String(it.call_id), type: 'function', function: { name: String(it.name), arguments: String(it.arguments ?? '') } };
      const last = messages[messages.length - 1];
      // Calls made in one turn (and the text before them) are one assistant message, as chat has them.
      if (last?.role === 'assistant' && last.fromItems) ((last.tool_calls as unknown[] | undefined) ?? (last.tool_calls = [])).push(call);
      else messages.push({ role: 'assistant', content: null, tool_calls: [call], fromItems: true });
      return;
    }
    case 'function_call_output':
      return addToolOutput(messages, it);
    default:
      // `reasoning` (and anything else without a chat meaning) is dropped.
      return;
  }
}

/**
 * A tool result. Chat's tool messages hold text only, so the images of a result (`input_image` parts) follow the run
 * of tool messages in one user message, in order — tool messages must stay right after the call that asked for them.
 */
function addToolOutput(messages: ChatMessage[], it: ResponsesItem): void {
  const tool: ChatMessage = { role: 'tool', tool_call_id: String(it.call_id), content: typeof it.output === 'string' ? it.output : textOf(it.output) };
  const last = messages[messages.length - 1];
  const images = Array.isArray(it.output) ? (it.output as Record<string, unknown>[]).filter((p) => p.type === 'input_image').map(imagePart) : [];
  if (last?.toolImages) {
    messages.splice(messages.length - 1, 0, tool);
    (last.content as unknown[]).push(...images);
    return;
  }
  messages.push(tool);
  if (images.length) messages.push({ role: 'user', content: [{ type: 'text', text: `The images returned by the tool call ${String(it.call_id)}:` }, ...images], toolImages: true });
}

function imagePart(p: Record<string, unknown>): Record<string, unknown> {
  return { type: 'image_url', image_url: { url: String(p.image_url), ...(typeof p.detail === 'string' ? { detail: p.detail } : {}) } };
}

function addMessage(messages: ChatMessage[], it: ResponsesItem): void {
  const role = String(it.role);
  if (role === 'assistant') {
    messages.push({ role, content: typeof it.content === 'string' ? it.content : textOf(it.content), fromItems: true });
    return;
  }
  if (role !== 'user' || typeof it.content === 'string') {
    messages.push({ role, content: typeof it.content === 'string' ? it.content : textOf(it.content) });
    return;
  }
  const parts = (it.content as Record<string, unknown>[]).map((p) => (p.type === 'input_image' ? imagePart(p) : { type: 'text', text: String(p.text ?? '') }));
  messages.push({ role, content: parts });
}

function textOf(content: unknown): string {
  if (!Array.isArray(content)) return '';
  let text = '';
  for (const p of content as Record<string, unknown>[]) text += typeof p.text === 'string' ? p.text : typeof p.refusal === 'string' ? p.refusal : '';
  return text;
}
